// ACC-2: a patient signs in with an accession number and a birth date (format explained), sees
// only their own studies; repeated failures lock the sign-in with a clear message. Phone-sized.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, openBrowser, screenshot, studies } from './helpers.mjs';

let server, browser;
before(async () => {
  server = await startPortal({ config: '[lockout]\nfailures = 3\nminutes = 15\n' });
  browser = await openBrowser({ viewport: { width: 390, height: 844 } });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('patient sign-in shows only their studies; lockout is explained', async () => {
  const { page } = browser;
  const { manifest } = studies();
  const study = manifest.studies[0];
  const own = manifest.studies.filter((s) => s.patient_id === study.patient_id).length;

  await page.goto(server.url + '/signin');
  await page.click('#tab-patient');
  await page.waitForSelector('#signin-patient');
  assert.match(await page.textContent('#signin-patient'), /19610314/); // the date format is explained
  await page.fill('#signin-patient input[name=accession]', study.accession);
  await page.fill('#signin-patient input[name=birth_date]', study.birth_date);
  await page.click('#signin-patient button[type=submit]');
  await page.waitForSelector('#study-table tbody tr');
  assert.equal(await page.locator('#study-table tbody tr').count(), own);
  assert.match(await page.textContent('#result-count'), new RegExp(`^${own} stud`));
  // Patients have no upload, share or administration.
  assert.equal(await page.locator('#open-upload').count(), 0);
  assert.equal(await page.locator('header nav >> text=Administration').count(), 0);
  await screenshot(page, 'patient-study-list-phone');
  await page.click('#sign-out');

  // Wrong birth dates: a clear error, then the lock with its duration, even for the right date.
  await page.waitForSelector('#tab-patient');
  await page.click('#tab-patient');
  for (let i = 0; i < 3; i++) {
    await page.fill('#signin-patient input[name=accession]', study.accession);
    await page.fill('#signin-patient input[name=birth_date]', '19000101');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/session/patient')),
      page.click('#signin-patient button[type=submit]'),
    ]);
    assert.equal(answer.status(), 401);
  }
  await page.fill('#signin-patient input[name=birth_date]', study.birth_date);
  await page.click('#signin-patient button[type=submit]');
  await page.waitForSelector('text=/sign-in is locked for \\d+ minute/');
  await screenshot(page, 'patient-lockout');
  assert.equal(await page.locator('#study-table').count(), 0);
});
