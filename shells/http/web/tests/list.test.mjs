// LIST-2..6: quick filters and reset, advanced filters for a profile with the right, result
// count and the cap notice, sortable columns, columns hidden from the header; filters and
// hidden columns are kept after a reload (columns also in the account's preferences).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, openBrowser, screenshot, signIn, studies, addUser } from './helpers.mjs';

let server, browser;
before(async () => {
  // A cap of 5 rows so that the 12 generated studies overflow it (LIST-5).
  server = await startPortal({ config: '[search]\ndefault_limit = 5\nmax_limit = 5\n' });
  addUser(server, 'referrer', 'referring_physician');
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const rowCount = (page) => page.locator('#study-table tbody tr').count();

test('filters, sorting, cap notice and hidden columns survive a reload', async () => {
  const { page } = browser;
  const { manifest } = studies();
  await signIn(page, server.url, 'admin');
  await page.waitForSelector('#study-table tbody tr');

  // Cap: 5 rows of 12, and the notice says so.
  assert.equal(await rowCount(page), 5);
  assert.match(await page.textContent('#result-count'), /^12 studies/);
  assert.match(await page.textContent('#cap-notice'), /5 most recent of 12/);

  // Quick filter on the last name of one generated patient.
  const family = manifest.studies[0].family_name;
  const expected = manifest.studies.filter((s) => s.family_name === family).length;
  await page.fill('#f-last', family.toLowerCase());
  await page.selectOption('#f-period', 'all');
  await page.click('#search');
  await page.waitForFunction((n) => document.querySelector('#result-count')?.textContent?.startsWith(n + ' stud'), expected);
  assert.ok(page.url().includes('last_name=' + family.toLowerCase()));

  // Advanced filters exist for administrators: accession.
  await page.click('#toggle-advanced');
  await page.fill('#f-acc', manifest.studies[0].accession);
  await page.click('#search');
  await page.waitForFunction(() => document.querySelector('#result-count')?.textContent?.startsWith('1 study'));

  // Sort by patient ID, ascending then descending.
  await page.fill('#f-acc', '');
  await page.fill('#f-last', '');
  await page.click('#search');
  await page.waitForFunction(() => document.querySelector('#result-count')?.textContent?.startsWith('12 studies'));
  await page.click('th[data-col=patient_id] button.sort');
  await page.waitForSelector('th[data-col=patient_id][aria-sort=ascending]');
  const ids = (await page.locator('#study-table tbody td.col-patient_id').allTextContents());
  const all = manifest.studies.map((s) => s.patient_id).sort();
  assert.deepEqual(ids, all.slice(0, 5));

  // Hide two columns from the header menu.
  await page.click('#columns-button');
  await page.uncheck('#column-menu input[name=col-repository]');
  await page.uncheck('#column-menu input[name=col-site]');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('th[data-col=site]').count(), 0);

  // Now a modality filter, then reload: filters, sort and columns are kept.
  await page.fill('#f-mod', 'CT');
  await page.click('#search');
  const ct = manifest.studies.filter((s) => s.modalities.includes('CT')).length;
  await page.waitForFunction((n) => document.querySelector('#result-count')?.textContent?.startsWith(n + ' stud'), ct);
  await page.reload();
  await page.waitForSelector('#study-table tbody tr');
  assert.equal(await page.inputValue('#f-mod'), 'CT');
  assert.match(await page.textContent('#result-count'), new RegExp(`^${ct} studies`));
  assert.equal(await page.locator('th[data-col=patient_id][aria-sort=ascending]').count(), 1);
  assert.equal(await page.locator('th[data-col=site]').count(), 0);
  assert.equal(await page.locator('th[data-col=repository]').count(), 0);
  assert.equal(await page.locator('th[data-col=description]').count(), 1);
  await screenshot(page, 'list-filters-after-reload');

  // The choice is in the account's preferences: a new browser shows the same columns.
  const other = await openBrowser();
  try {
    await signIn(other.page, server.url, 'admin');
    await other.page.waitForSelector('#study-table tbody tr');
    assert.equal(await other.page.locator('th[data-col=site]').count(), 0);
    assert.equal(await other.page.locator('th[data-col=modalities]').count(), 1);
  } finally {
    await other.close();
  }

  // Reset clears every filter.
  await page.click('#reset');
  await page.waitForFunction(() => document.querySelector('#result-count')?.textContent?.startsWith('12 studies'));
  assert.equal(await page.inputValue('#f-mod'), '');
  assert.deepEqual(browser.events.errors, []);
});

test('per-study actions follow the rights: a referring physician without studies has no upload', async () => {
  const { page } = browser;
  await page.click('#sign-out');
  await signIn(page, server.url, 'referrer');
  await page.waitForSelector('#result-count');
  assert.equal(await page.locator('#open-upload').count(), 0);
  assert.equal(await page.locator('header nav >> text=Administration').count(), 0);
  await screenshot(page, 'list-referring-physician');
});
