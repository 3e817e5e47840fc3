// DIF-5, ACC-3: a radiologist shares a study with a new guest (comma-separated emails, a
// message, a confirmation listing the recipients); the guest registers from the emailed link
// with the email prefilled and fixed, signs in and sees exactly that study.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSmtp, startPortal, openBrowser, screenshot, signIn, studies, addUser, PASSWORD } from './helpers.mjs';

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

test('share to a new guest, who registers from the emailed link and sees exactly that study', async () => {
  const { page } = browser;
  const { manifest } = studies();
  const study = manifest.studies[3];
  await signIn(page, server.url, 'radio');
  await page.waitForSelector(`#study-table tr[data-uid="${study.study_uid}"]`);
  const row = page.locator(`#study-table tr[data-uid="${study.study_uid}"]`);
  await row.locator('button.act-more').click();
  await row.locator('[role=menuitem].act-share').click();
  await page.waitForSelector('#share-guests');
  await page.fill('#share-emails', 'guest.one@example.org, guest.two@example.org');
  await page.fill('#share-message', 'Images of your consultation');
  await page.click('#share-next');
  await page.waitForSelector('#share-confirm');
  assert.deepEqual(await page.locator('#share-confirm .recipients li').allTextContents(), ['guest.one@example.org', 'guest.two@example.org']);
  await screenshot(page, 'share-confirmation');
  await page.click('#share-confirm-yes');
  await page.waitForSelector('#share-done');
  await page.keyboard.press('Escape');

  // The shares page lists both; revoking the second leaves one active share.
  await page.click('header nav >> text=Shares');
  await page.waitForSelector('#all-shares-table tbody tr');
  const recipients = await page.locator('#all-shares-table tbody tr td:nth-child(2)').allTextContents();
  assert.deepEqual(recipients.sort(), ['guest.one@example.org', 'guest.two@example.org']);
  await page.locator('#all-shares-table tbody tr', { hasText: 'guest.two@example.org' }).locator('button').click();
  await page.waitForSelector('text=The share is revoked');
  assert.deepEqual(await page.locator('#all-shares-table tbody tr td:nth-child(2)').allTextContents(), ['guest.one@example.org']);
  await screenshot(page, 'shares-page');
  await page.click('#sign-out');

  // The guest's mail carries an invitation link with the address.
  const link = await smtp.waitFor('guest.one@example.org', /(http:\/\/127\.0\.0\.1:\d+\/invitation\?token=[0-9a-f]+&email=[^\s]+)/);
  assert.ok(link[1].startsWith(server.url));
  await page.goto(link[1]);
  await page.waitForSelector('#register-form');
  const email = page.locator('#register-form input[name=email]');
  assert.equal(await email.inputValue(), 'guest.one@example.org');
  assert.equal(await email.getAttribute('readonly'), '');
  await page.fill('#register-form input[name=first_name]', 'Guest');
  await page.fill('#register-form input[name=last_name]', 'One');
  await page.fill('#register-form input[name=login]', 'guestone');
  await page.fill('#register-form input[name=password]', PASSWORD);
  await page.fill('#register-form input[name=password_confirmation]', PASSWORD);
  await screenshot(page, 'share-guest-registration');
  await page.click('#register-form button[type=submit]');
  await page.waitForSelector('text=Account created');

  await signIn(page, server.url, 'guest.one@example.org');
  await page.waitForSelector('#study-table tbody tr');
  const uids = await page.locator('#study-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.uid));
  assert.deepEqual(uids, [study.study_uid]);
  assert.match(await page.textContent('#result-count'), /^1 study/);
  await screenshot(page, 'share-guest-sees-study');
  assert.deepEqual(browser.events.errors, []);
});
