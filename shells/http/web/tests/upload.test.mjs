// ING-2, ING-5: a DICOM file whose patient has the names and birth date of a known patient but
// another patient ID is refused with an error naming the field; with "ignore patient ID
// verification" checked it joins that patient. Per-file progress and results are shown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startPortal, openBrowser, screenshot, signIn, studies, tmpDir, dicomVariant, pngFile, pdfFile } from './helpers.mjs';

let server, browser;
before(async () => {
  server = await startPortal();
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('upload with an identity mismatch, then with the checkbox', async () => {
  const { page } = browser;
  const { dir, manifest } = studies();
  const known = manifest.studies[0];
  const source = path.join(dir, known.series[0].instances[0].file);
  const out = tmpDir('upload');
  const mismatch = dicomVariant(source, path.join(out, 'other-id.dcm'), { new_uids: 1, PatientID: '99999999', AccessionNumber: 'UPL0001' });
  const notDicom = path.join(out, 'notes.txt');
  (await import('node:fs')).writeFileSync(notDicom, 'not a DICOM file');

  await signIn(page, server.url, 'admin');
  await page.waitForSelector('#study-table tbody tr');
  await page.click('#open-upload');
  await page.waitForSelector('#upload-dicom');
  await page.setInputFiles('#upload-input-dicom', [mismatch, notDicom]);
  assert.equal(await page.locator('#upload-files li').count(), 2);
  await page.click('#upload-send');
  await page.waitForSelector('#upload-summary');
  const refused = page.locator('#upload-files li[data-name="other-id.dcm"]');
  assert.match(await refused.locator('.fstate').textContent(), /Refused/);
  assert.match(await refused.locator('.fmsg').textContent(), /patient ID "99999999"/);
  assert.match(await page.textContent('#upload-files li[data-name="notes.txt"] .fstate'), /Refused/);
  assert.match(await page.textContent('#upload-summary'), /0 stored, 0 already stored, 2 refused/);
  await screenshot(page, 'upload-identity-mismatch');

  // Again with the checkbox: the file joins the known patient.
  await page.check('#ignore-patient-id');
  await page.setInputFiles('#upload-input-dicom', [mismatch]);
  await page.click('#upload-send');
  await page.waitForSelector('#upload-files li[data-name="other-id.dcm"].file-stored');
  assert.match(await page.textContent('#upload-summary'), /1 stored/);
  const value = await page.locator('#upload-files li.file-stored progress').getAttribute('value');
  assert.ok(Number(value) > 0);
  await screenshot(page, 'upload-ignore-patient-id');
  await page.click('dialog .close');

  // The list shows the new study under the known patient's ID.
  await page.fill('#f-pid', known.patient_id);
  await page.click('#search');
  await page.waitForSelector('#study-table tbody tr >> text=UPL0001');
  assert.deepEqual(browser.events.errors, []);
});

test('a new study from images (the form), then a PDF and an image added to it', async () => {
  const { page } = browser;
  const out = tmpDir('images');
  const a = pngFile(path.join(out, 'photo-1.png'), { seed: 1 });
  const b = pngFile(path.join(out, 'photo-2.png'), { seed: 2 });
  await page.click('#open-upload');
  await page.click('#tab-images');
  await page.waitForSelector('#upload-images');
  // Mandatory fields are marked; the browser refuses to send without them.
  assert.ok((await page.locator('#upload-images .req').count()) >= 6);
  await page.fill('#upload-images input[name=patient_family_name]', 'Photo');
  await page.fill('#upload-images input[name=patient_given_name]', 'Anne');
  await page.fill('#upload-images input[name=birth_date]', '1980-02-29');
  await page.selectOption('#new-sex', 'F');
  await page.fill('#upload-images input[name=patient_id]', 'IMG0001');
  await page.fill('#upload-images input[name=study_date]', '2026-11-20');
  await page.fill('#upload-images input[name=study_description]', 'Dermatology photos');
  await page.fill('#upload-images input[name=accession]', 'IMGACC1');
  await page.setInputFiles('#upload-input-images', [a, b]);
  await page.click('#upload-send');
  await page.waitForSelector('#upload-summary');
  assert.match(await page.textContent('#upload-summary'), /^2 stored/);
  assert.equal(await page.locator('#upload-files li.file-stored').count(), 2);
  await screenshot(page, 'upload-new-study-from-images');
  await page.click('dialog .close');

  await page.fill('#f-pid', 'IMG0001');
  await page.click('#search');
  const row = page.locator('#study-table tbody tr', { hasText: 'IMGACC1' });
  await row.waitFor();
  await row.locator('button.act-more').click();
  await row.locator('[role=menuitem].act-upload').click();
  await page.waitForSelector('#upload-files');
  await page.setInputFiles('#upload-input-files', [pdfFile(path.join(out, 'report.pdf')), pngFile(path.join(out, 'extra.png'), { seed: 3 })]);
  await page.click('#upload-send');
  await page.waitForSelector('#upload-summary');
  assert.match(await page.textContent('#upload-summary'), /^2 stored/);
  await screenshot(page, 'upload-additional-files');
  await page.click('dialog .close');
  // Two images from the form, then a PDF and one more image: four instances in the study.
  await row.locator('button.act-info').click();
  await page.waitForSelector('dialog dl >> text=/4 Instances/');
  await page.keyboard.press('Escape');
  assert.deepEqual(browser.events.errors, []);
});
