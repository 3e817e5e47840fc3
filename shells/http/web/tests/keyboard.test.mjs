// Keyboard use: sign-in with the keyboard only, the per-study "…" menu (arrows, Escape returns
// focus), the column menu (Space toggles), a dialog closed by Escape, tabs moved by arrows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, openBrowser, screenshot, PASSWORD } from './helpers.mjs';

let server, browser;
before(async () => {
  server = await startPortal();
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const focused = (page) => page.evaluate(() => {
  const e = document.activeElement;
  return { tag: e?.tagName, role: e?.getAttribute('role'), id: e?.id, name: e?.getAttribute('name'), cls: e?.className };
});

test('the portal works from the keyboard', async () => {
  const { page } = browser;
  await page.goto(server.url + '/signin');
  // Tabs: the arrow keys move between the two ways in.
  await page.focus('#tab-user');
  await page.keyboard.press('ArrowRight');
  await page.waitForSelector('#signin-patient');
  await page.keyboard.press('ArrowLeft');
  await page.waitForSelector('#signin-user');
  await page.focus('#signin-user input[name=login]');
  await page.keyboard.type('admin');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).name, 'password');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#study-table tbody tr');

  // The "…" menu of the first study.
  const more = page.locator('#study-table tbody tr').first().locator('button.act-more');
  await more.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('[role=menu]');
  assert.equal((await focused(page)).role, 'menuitem');
  const first = await page.evaluate(() => document.activeElement.textContent);
  await page.keyboard.press('ArrowDown');
  const second = await page.evaluate(() => document.activeElement.textContent);
  assert.notEqual(first, second);
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), first);
  await screenshot(page, 'keyboard-study-menu');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('[role=menu]').count(), 0);
  assert.match((await focused(page)).cls, /act-more/);

  // The column menu: Space hides a column, Escape closes and gives the focus back.
  await page.focus('#columns-button');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#column-menu');
  assert.equal((await focused(page)).tag, 'INPUT');
  const name = (await focused(page)).name.replace('col-', '');
  await page.keyboard.press('Space');
  await page.waitForFunction((c) => !document.querySelector(`th[data-col=${c}]`), name);
  await page.keyboard.press('Escape');
  assert.equal((await focused(page)).id, 'columns-button');

  // A dialog opened with Enter closes with Escape.
  await page.locator('#study-table tbody tr').first().locator('button.act-info').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog[open]');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('dialog[open]'));
  assert.deepEqual(browser.events.errors, []);
});
