// ACC-5: switching the language to French translates the whole UI and is kept in the
// preferences. Security: a patient name holding HTML is shown as text; no script runs, and the
// app runs under portald's Content-Security-Policy without violations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startPortal, openBrowser, screenshot, signIn, studies, tmpDir, dicomVariant } from './helpers.mjs';

const XSS = '<img src=x onerror=alert(1)>';
let server, browser;
before(async () => {
  server = await startPortal();
  const { dir, manifest } = studies();
  const source = path.join(dir, manifest.studies[0].series[0].instances[0].file);
  const file = dicomVariant(source, path.join(tmpDir('xss'), 'xss.dcm'),
    { new_uids: 1, PatientName: XSS, PatientID: 'XSS0001', AccessionNumber: 'XSS0001', StudyDescription: '<script>alert(2)</script>' });
  server.cli(['ingest', file]);
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a patient name with HTML is shown as text and runs nothing', async () => {
  const { page, events } = browser;
  // DICOM names keep only their first component group ('=' separates them), so the full
  // payload also reaches the page through the description, and through a patient name given by
  // the answer itself (rewritten on its way, as any source of names could send it).
  await page.route('**/api/studies?*', async (route) => {
    const res = await route.fetch();
    const body = await res.json();
    for (const s of body.studies) if (s.accession === 'XSS0001') s.patient.given_name = XSS;
    await route.fulfill({ response: res, json: body });
  });
  await signIn(page, server.url, 'admin');
  await page.waitForSelector('#study-table tbody tr');
  const row = page.locator('#study-table tr', { hasText: 'XSS0001' });
  await row.waitFor();
  const name = await row.locator('td.col-patient_name').textContent();
  assert.ok(name.includes(XSS), name);
  assert.ok(name.toLowerCase().startsWith('<img src'), name); // the stored family name
  assert.equal(await row.locator('td.col-description').textContent(), '<script>alert(2)</script>');
  assert.equal(await page.locator('#study-table img, #study-table script').count(), 0);
  await row.locator('button.act-info').click();
  await page.waitForSelector('dialog dl');
  assert.equal(await page.locator('dialog img, dialog script').count(), 0);
  await page.waitForTimeout(300);
  await screenshot(page, 'xss-patient-name-as-text');
  assert.deepEqual(events.dialogs, []);
  assert.deepEqual(events.errors, []);
  assert.deepEqual(events.cspViolations, []);
  await page.unroute('**/api/studies?*');
});

test('switching to French translates the UI and is remembered', async () => {
  const { page } = browser;
  await page.keyboard.press('Escape');
  await page.selectOption('#language-switch', 'fr');
  await page.waitForSelector('header nav >> text=Examens');
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.match(await page.textContent('#result-count'), /examens/);
  assert.match(await page.textContent('#filters'), /Période/);
  assert.match(await page.textContent('#filters'), /Réinitialiser/);
  assert.match(await page.textContent('th[data-col=referring]'), /Médecin prescripteur/);
  // Save French in the preferences from the profile page, then reload: still French.
  await page.click('header nav >> text=Profil');
  await page.selectOption('#pref-language', 'fr');
  await page.click('#prefs-form button[type=submit]');
  await page.waitForSelector('#prefs-form >> text=Enregistré.');
  await page.reload();
  await page.waitForSelector('text=Préférences');
  await screenshot(page, 'i18n-french-profile');
  await page.click('header nav >> text=Examens');
  await page.waitForSelector('#study-table tbody tr');
  // No English label is left in the study page's chrome.
  const chrome = await page.locator('header, #filters, #study-table thead, .toolbar').allTextContents();
  for (const word of ['Search', 'Reset', 'Period', 'Studies', 'Sign out', 'Referring', 'Upload'])
    assert.ok(!chrome.join(' ').includes(word), `"${word}" is not translated`);
  await screenshot(page, 'i18n-french-study-list');
});
