// portald serving the built app (static_files.cpp): media types, caching, compression, the
// page fallback for the app's routes, 404 for missing files, no way out of the folder, the
// Content-Security-Policy without 'unsafe-inline', /app-config.json.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { startPortal, PASSWORD } from './helpers.mjs';

let server;
before(async () => {
  server = await startPortal();
});
after(async () => {
  await server?.stop();
});

// A raw GET (fetch would normalise paths such as /../).
function get(path, headers = {}) {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('index.html at / and for the pages of the app, revalidated, with the CSP', async () => {
  for (const path of ['/', '/signin', '/confirm?token=abc', '/studies/x', '/invitation?token=1&email=a%40b.c']) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.match(r.headers['content-type'], /^text\/html/);
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.match(r.body.toString(), /<div id="app"><\/div>/);
    const csp = r.headers['content-security-policy'];
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  }
  // No inline script or style in the page itself.
  const html = (await get('/')).body.toString();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(html, /<style|style="/);
});

test('hashed assets: media types, a year of caching, scripts gzip-compressed', async () => {
  const html = (await get('/')).body.toString();
  const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)[1];
  const css = /href="(\/assets\/[^"]+\.css)"/.exec(html)[1];
  const plain = await get(js);
  assert.equal(plain.status, 200);
  assert.match(plain.headers['content-type'], /^application\/javascript/);
  assert.match(plain.headers['cache-control'], /max-age=31536000, immutable/);
  const zipped = await get(js, { 'Accept-Encoding': 'gzip, br' });
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.ok(zipped.body.length < plain.body.length / 2);
  assert.deepEqual(zlib.gunzipSync(zipped.body), plain.body);
  const style = await get(css);
  assert.match(style.headers['content-type'], /^text\/css/);
  assert.equal((await get('/favicon.svg')).headers['content-type'], 'image/svg+xml');
});

test('missing files are 404; nothing outside the folder is served; the API is not shadowed', async () => {
  assert.equal((await get('/assets/nope-123.js')).status, 404);
  assert.equal((await get('/robots.txt')).status, 404);
  for (const path of ['/../portal.toml', '/assets/../../package.json', '/%2e%2e/%2e%2e/index.sqlite', '/..%2f..%2fportal.toml']) {
    const r = await get(path);
    assert.ok(r.status === 404 || /<div id="app">/.test(r.body.toString()), `${path}: ${r.status}`);
    assert.doesNotMatch(r.body.toString(), /\[accounts\]|SQLite format|"name": "libportal-web"/);
  }
  const api = await get('/api/nothing-here');
  assert.equal(api.status, 404);
  assert.match(api.headers['content-type'], /^application\/json/);
  assert.equal((await get('/api/studies')).status, 401);
  // DICOMweb paths are never answered by the app's page fallback.
  const dw = await get('/dicom-web/studies/1.2/nothing');
  assert.equal(dw.status, 404);
  assert.match(dw.headers['content-type'], /^application\/json/);
  assert.equal((await get('/healthz')).status, 200);
});

test('/app-config.json tells the app the public settings only', async () => {
  const r = await get('/app-config.json');
  assert.equal(r.status, 200);
  const c = JSON.parse(r.body.toString());
  assert.deepEqual(Object.keys(c).sort(), ['captcha_enabled', 'languages', 'password_min_length', 'patient_access_code', 'search_max_limit']);
  assert.equal(c.search_max_limit, 150);
  assert.deepEqual(c.languages, ['en', 'fr']);
});

test('JSON answers are not compressed on every request (cpp-httplib would use its slowest brotli)', async () => {
  const { hostname, port } = new URL(server.url);
  const body = JSON.stringify({ login: 'admin', password: PASSWORD });
  const cookie = await new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: '/api/session', method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(/portal_session=[^;]+/.exec(res.headers['set-cookie'].join(';'))[0]));
    });
    req.on('error', reject);
    req.end(body);
  });
  for (const path of ['/api/studies?limit=150', '/api/me']) {
    const r = await get(path, { Cookie: cookie, 'Accept-Encoding': 'gzip, deflate, br, zstd' });
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-encoding'], undefined, path);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8', path);
    JSON.parse(r.body.toString());
  }
});
