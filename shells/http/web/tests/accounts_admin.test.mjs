// ACC-4 lost password and reset over SMTP; ACC-5 profile (default period, password change);
// ACC-7 and PLAT-3 administration pages: profiles and rights change what a user sees, users,
// audit search, mail outbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSmtp, startPortal, openBrowser, screenshot, signIn, addUser, PASSWORD } from './helpers.mjs';

const NEW_PASSWORD = 'Tq4!rWz8#Lmn2vB';
let smtp, server, browser;
before(async () => {
  smtp = await startSmtp();
  server = await startPortal({ smtp });
  addUser(server, 'radio', 'radiologist');
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.stop();
});

test('lost password -> emailed link -> new password -> sign-in', async () => {
  const { page } = browser;
  await page.goto(server.url + '/signin');
  await page.click('text=Lost password');
  await page.fill('#lost-form input[name=login]', 'radio@example.org');
  await page.click('#lost-form button[type=submit]');
  await page.waitForSelector('text=If the account exists');
  const link = await smtp.waitFor('radio@example.org', /(http:\/\/127\.0\.0\.1:\d+\/reset-password\?token=[0-9a-f]+)/);
  await page.goto(link[1]);
  await page.fill('#reset-form input[name=password]', NEW_PASSWORD);
  await page.fill('#reset-form input[name=password_confirmation]', NEW_PASSWORD);
  await page.click('#reset-form button[type=submit]');
  await page.waitForSelector('text=Your password was changed');
  await signIn(page, server.url, 'radio', PASSWORD);
  await page.waitForSelector('.msg-error >> text=Wrong login or password.');
  await signIn(page, server.url, 'radio', NEW_PASSWORD);
  await page.waitForSelector('#study-table tbody tr');
});

test('profile: default period and password change', async () => {
  const { page } = browser;
  await page.click('header nav >> text=Profile');
  await page.selectOption('#pref-period', '30d');
  await page.click('#prefs-form button[type=submit]');
  await page.waitForSelector('#prefs-form >> text=Saved.');
  await page.fill('#password-form input[name=current_password]', 'not the password');
  await page.fill('#password-form input[name=new_password]', PASSWORD);
  await page.fill('#password-form input[name=password_confirmation]', PASSWORD);
  await page.click('#password-form button[type=submit]');
  await page.waitForSelector('#password-form .msg-error');
  await page.fill('#password-form input[name=current_password]', NEW_PASSWORD);
  await page.click('#password-form button[type=submit]');
  await page.waitForSelector('#password-form >> text=Your password was changed.');
  await screenshot(page, 'profile');
  await page.click('#sign-out');
  await signIn(page, server.url, 'radio', PASSWORD);
  await page.waitForSelector('#result-count');
  assert.equal(await page.inputValue('#f-period'), '30d');
  assert.equal(await page.locator('#open-upload').count(), 1);
  await page.click('#sign-out');
});

test('administration: rights change what a profile sees; users, audit and outbox pages', async () => {
  const { page } = browser;
  await signIn(page, server.url, 'admin');
  await page.waitForSelector('#study-table');
  await page.click('header nav >> text=Administration');
  await page.click('#tab-profiles');
  const cell = page.locator('#rights-table tr', { has: page.locator('th', { hasText: /^upload$/ }) }).locator('input[aria-label="upload — Radiologist"]');
  assert.equal(await cell.isChecked(), true);
  await cell.uncheck();
  await page.waitForFunction(() => !document.querySelector('#rights-table input[aria-label="upload — Radiologist"]').checked);
  await screenshot(page, 'admin-profiles-rights');

  await page.click('#tab-users');
  await page.waitForSelector('#users-table tr[data-login=radio]');
  // An administrator creates an account, then disables it.
  await page.click('#add-user');
  await page.fill('#nu-login', 'newdoc');
  await page.fill('#nu-email', 'newdoc@example.org');
  await page.fill('#nu-first_name', 'New');
  await page.fill('#nu-last_name', 'Doctor');
  await page.fill('#nu-password', PASSWORD);
  await page.click('#add-user-form button[type=submit]');
  await page.waitForSelector('text=The account newdoc is created and active.');
  await page.locator('#users-table tr[data-login=newdoc]').locator('text=Deactivate').click();
  await page.waitForSelector('text=The account newdoc is disabled.');
  assert.match(await page.textContent('#users-table tr[data-login=newdoc]'), /Disabled/);
  await screenshot(page, 'admin-users');
  await page.click('#tab-audit');
  await page.fill('#audit-login', 'radio');
  await page.click('#audit-form button[type=submit]');
  await page.waitForSelector('#audit-table >> text=password_reset');
  await screenshot(page, 'admin-audit');
  await page.click('#tab-mail');
  await page.waitForSelector('#mail-table >> text=radio@example.org');
  await screenshot(page, 'admin-mail');
  await page.click('#sign-out');

  // The radiologist lost the upload right: no upload button now.
  await signIn(page, server.url, 'radio', PASSWORD);
  await page.waitForSelector('#result-count');
  assert.equal(await page.locator('#open-upload').count(), 0);
  assert.deepEqual(browser.events.errors, []);
});
