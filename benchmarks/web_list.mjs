#!/usr/bin/env node
// Web study list benchmark (LIST-5): time from the sign-in click until the study list of 150
// rows is displayed, measured in the browser with the Performance API (the marks
// `portal-sign-in-start` and `portal-list-displayed` of the app), on loopback, against portald
// over an index of 100,000 studies.
//
// usage: node benchmarks/web_list.mjs BUILD_DIR [DATA_DIR] [ROUNDS]
//   DATA_DIR without an index is filled by `portal_bench search DATA_DIR 100000` (a synthetic
//   index built directly, with realistic names, dates over 10 years, 33,333 patients).
// Needs `make web` (the built app and shells/http/web/node_modules) and Debian's chromium.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(REPO, 'shells/http/web/package.json'));
const { chromium } = require('playwright-core');

const build = path.resolve(process.argv[2] || 'build');
const data = path.resolve(process.argv[3] || path.join(os.tmpdir(), 'portal-web-bench-100k'));
const rounds = Number(process.argv[4] || 20);
const cli = path.join(build, 'shells/cli/portal');
const PASSWORD = 'Vp9#kLm2$Qx7zR';

if (!fs.existsSync(path.join(data, 'index.sqlite'))) {
  console.error(`building a 100,000-study index in ${data} (portal_bench search)...`);
  execFileSync(path.join(build, 'benchmarks/portal_bench'), ['search', data, '100000'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
try {
  execFileSync(cli, ['--data', data, 'users', 'show', 'benchradiologist'], { stdio: 'ignore' });
} catch {
  execFileSync(cli, ['--data', data, 'users', 'add', 'benchradiologist', '--email', 'bench@example.org',
    '--profile', 'radiologist', '--password-stdin'], { input: PASSWORD + '\n', stdio: ['pipe', 'ignore', 'inherit'] });
}

const port = await new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const env = { ...process.env, PORTAL_HTTP_ACCESS_LOG: process.env.ACCESS_LOG || '', PORTAL_HTTP_WEB_ROOT: path.join(REPO, 'shells/http/web/dist') };
const portald = spawn(path.join(build, 'shells/http/portald'), ['--data', data, '--listen', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
await new Promise((resolve, reject) => {
  let text = '';
  portald.stderr.on('data', (c) => {
    text += c;
    if (/listening on/.test(text)) resolve();
  });
  portald.on('exit', (code) => reject(new Error(`portald exited ${code}: ${text}`)));
});
const url = `http://127.0.0.1:${port}`;

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-web-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1600, height: 1000 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] || (await context.newPage());
const times = [];
const split = {};
let total = '';
try {
  for (let i = 0; i < rounds + 1; i++) {
    await page.goto(url + '/signin');
    await page.fill('#signin-user input[name=login]', 'benchradiologist');
    await page.fill('#signin-user input[name=password]', PASSWORD);
    await page.click('#signin-user button[type=submit]');
    await page.waitForFunction(() => performance.getEntriesByName('portal-sign-in-to-list').length > 0, null, { timeout: 60000 });
    const rows = await page.locator('#study-table tbody tr').count();
    if (rows !== 150) throw new Error(`expected 150 rows, got ${rows}`);
    total = await page.textContent('#result-count');
    const ms = await page.evaluate(() => performance.getEntriesByName('portal-sign-in-to-list')[0].duration);
    // Where the time goes: the sign-in request (argon2id) and the study search, as the browser saw them.
    const parts = await page.evaluate(() => {
      const start = performance.getEntriesByName('portal-sign-in-to-list')[0].startTime;
      return performance.getEntriesByType('resource')
        .filter((r) => r.startTime >= start - 1 && r.name.includes('/api/'))
        .map((r) => ({ path: new URL(r.name).pathname, start: r.startTime - start, ms: r.duration }))
        .concat([{ path: 'render: data received -> rows in the DOM', start: 0,
          ms: performance.getEntriesByName('portal-list-committed').slice(-1)[0].startTime -
            performance.getEntriesByName('portal-list-data').slice(-1)[0].startTime },
          { path: 'render: rows in the DOM -> laid out and painted', start: 0,
          ms: performance.getEntriesByName('portal-list-displayed').slice(-1)[0].startTime -
            performance.getEntriesByName('portal-list-committed').slice(-1)[0].startTime }]);
    });
    if (process.env.VERBOSE) console.log(ms.toFixed(1), JSON.stringify(parts.map((p) => `${p.path} @${p.start.toFixed(0)} ${p.ms.toFixed(0)}ms`)));
    if (i > 0) {
      times.push(ms);
      for (const p of parts) (split[p.path] ||= []).push(p.ms);
    } // round 0 warms the page cache of the index and the browser
    await page.click('#sign-out');
    await page.waitForSelector('#signin-user');
  }
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
  portald.kill('SIGTERM');
}
times.sort((a, b) => a - b);
const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
console.log(`index: ${total.trim()}; 150 rows displayed; ${rounds} rounds after one warm-up`);
console.log(`sign-in -> list displayed: min ${times[0].toFixed(1)} ms, p50 ${pct(50).toFixed(1)} ms, ` +
  `p95 ${pct(95).toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms (target <= 300 ms)`);
for (const [p, list] of Object.entries(split)) {
  list.sort((a, b) => a - b);
  console.log(`  ${p}: p50 ${list[Math.floor(list.length / 2)].toFixed(1)} ms (as the browser saw it)`);
}
