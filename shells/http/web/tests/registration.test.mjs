// ACC-1, ACC-7: a professional registers (mandatory fields, password confirmation), the
// confirmation email is caught by a loopback SMTP server, the emailed link confirms the address,
// sign-in is refused with a clear "pending" message, an administrator activates the account in
// the administration page, and the user signs in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSmtp, startPortal, openBrowser, screenshot, signIn, PASSWORD } from './helpers.mjs';

let smtp, server, browser;
before(async () => {
  smtp = await startSmtp();
  server = await startPortal({ smtp });
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.stop();
});

test('registration -> confirmation email -> administrator activation -> sign-in', async () => {
  const { page } = browser;
  await page.goto(server.url + '/');
  await page.waitForSelector('#signin-user');
  await page.click('text=Create a professional account');
  await page.waitForSelector('#register-form');
  // Mandatory fields are marked.
  assert.ok((await page.locator('#register-form .req').count()) >= 6);
  const f = (name, value) => page.fill(`#register-form input[name=${name}]`, value);
  await f('first_name', 'Claire');
  await f('last_name', 'Martin');
  await f('email', 'claire.martin@example.org');
  await f('login', 'cmartin');
  await f('phone', '+33 1 23 45 67 89');
  await f('physician_id', '10001234567');
  await f('password', PASSWORD);
  await f('password_confirmation', PASSWORD + 'x');
  await page.click('#register-form button[type=submit]');
  await page.waitForSelector('text=The password and its confirmation differ.');
  await f('password_confirmation', PASSWORD);
  await page.click('#register-form button[type=submit]');
  await page.waitForSelector('text=Check your email');

  // The confirmation mail reaches the SMTP server with a link to this portal.
  const link = await smtp.waitFor('claire.martin@example.org', /(http:\/\/127\.0\.0\.1:\d+\/confirm\?token=[0-9a-f]+)/);
  assert.ok(link[1].startsWith(server.url));

  // Before confirmation and activation, sign-in says the account is not active yet.
  await signIn(page, server.url, 'cmartin');
  await page.waitForSelector('.msg-error');
  assert.match(await page.textContent('.msg-error'), /not active yet/);

  await page.goto(link[1]);
  await page.waitForSelector('#confirm-ok');
  await screenshot(page, 'registration-confirmed');

  // Still pending: an administrator must activate it.
  await signIn(page, server.url, 'claire.martin@example.org');
  await page.waitForSelector('.msg-error');
  assert.match(await page.textContent('.msg-error'), /administrator must activate/);

  await signIn(page, server.url, 'admin');
  await page.waitForSelector('#study-table');
  await page.click('header nav >> text=Administration');
  await page.waitForSelector('#pending-table tr[data-login=cmartin]');
  await screenshot(page, 'registration-pending-accounts');
  await page.click('#pending-table tr[data-login=cmartin] button.activate');
  await page.waitForSelector('text=The account cmartin is active.');
  assert.equal(await page.locator('#pending-table tr[data-login=cmartin]').count(), 0);
  await page.click('#sign-out');

  // The new account signs in with its email and sees the study list.
  await signIn(page, server.url, 'claire.martin@example.org');
  await page.waitForSelector('#study-table');
  assert.match(await page.textContent('header .who'), /Claire Martin/);
  await screenshot(page, 'registration-signed-in');
  assert.deepEqual(browser.events.errors, []);
});

test('with the captcha on: the image is shown, a wrong answer is refused and a new image comes', async () => {
  const other = await startPortal({ ingest: false, accounts: 'captcha_enabled = true\n' });
  try {
    const { page } = browser;
    await page.goto(other.url + '/register');
    await page.waitForSelector('#captcha-image');
    const first = await page.getAttribute('#captcha-image', 'src');
    assert.match(first, /^data:image\/png;base64,/);
    const f = (name, value) => page.fill(`#register-form input[name=${name}]`, value);
    await f('first_name', 'Paul');
    await f('last_name', 'Durand');
    await f('email', 'paul.durand@example.org');
    await f('login', 'pdurand');
    await f('password', PASSWORD);
    await f('password_confirmation', PASSWORD);
    await f('captcha_answer', 'wrong!');
    await page.click('#register-form button[type=submit]');
    await page.waitForSelector('text=The characters do not match the image');
    await page.waitForFunction((src) => document.querySelector('#captcha-image')?.getAttribute('src') !== src, first);
    await screenshot(page, 'registration-captcha');
  } finally {
    await other.stop();
  }
});
