// Shared set-up of the end-to-end tests: a real portald on loopback over a temporary data
// directory with generated studies, a loopback SMTP server catching the mails, and Debian's
// Chromium driven by playwright-core (never a downloaded browser).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync as zlibSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '../../../..');
export const PASSWORD = 'Vp9#kLm2$Qx7zR';
export const PYTHON = process.env.PYTHON || '/usr/bin/python3';
const SCREENSHOTS = process.env.SCREENSHOTS || path.join(REPO, 'build', 'web-screenshots');

function need(name) {
  const v = process.env[name];
  if (!v || !fs.existsSync(v)) throw new Error(`set ${name} to the built binary (see make test-web)`);
  return v;
}
export const PORTALD = () => need('PORTALD');
export const CLI = () => need('PORTAL_CLI');

export function tmpDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `portal-web-${prefix}-`));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function waitForLine(proc, regex, what, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${text}`)), timeoutMs);
    const on = (chunk) => {
      text += chunk.toString();
      const m = regex.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    proc.stdout?.on('data', on);
    proc.stderr?.on('data', on);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited ${code}: ${text}`));
    });
  });
}

function stopProcess(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve(proc.exitCode);
    proc.removeAllListeners('exit');
    proc.on('exit', (code) => resolve(code));
    proc.kill('SIGTERM');
  });
}

// --- mail ---------------------------------------------------------------------------------------

/** The loopback SMTP server of tests/mail/smtp_server.py (also used by the C++ mail tests);
 *  mails land in `dir` as <n>.eml files. */
export async function startSmtp() {
  const dir = tmpDir('mail');
  const portFile = path.join(dir, 'port');
  const proc = spawn(PYTHON, [path.join(REPO, 'tests/mail/smtp_server.py'), portFile, dir], { stdio: 'ignore' });
  const end = Date.now() + 30000;
  while (!fs.existsSync(portFile)) {
    if (proc.exitCode !== null) throw new Error(`smtp_server.py exited ${proc.exitCode}`);
    if (Date.now() > end) throw new Error('smtp_server.py did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port: Number(fs.readFileSync(portFile, 'utf8')),
    dir,
    stop: () => stopProcess(proc),
    mails: () => readMails(dir),
    /** The first match of `regex` in a mail to `to` (waits for delivery). */
    async waitFor(to, regex, timeoutMs = 30000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        for (const mail of readMails(dir).reverse()) {
          if (!mail.to.toLowerCase().includes(to.toLowerCase())) continue;
          const hit = regex.exec(mail.body);
          if (hit) return hit;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`no mail to ${to} matching ${regex}`);
    },
  };
}

function readMails(dir) {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d+\.eml$/.test(f))
    .sort((a, b) => parseInt(a) - parseInt(b))
    .map((f) => {
      const raw = fs.readFileSync(path.join(dir, f), 'utf8');
      const split = raw.indexOf('\r\n\r\n') >= 0 ? raw.indexOf('\r\n\r\n') : raw.indexOf('\n\n');
      const head = raw.slice(0, split);
      let body = raw.slice(split).trim();
      if (/Content-Transfer-Encoding:\s*base64/i.test(head)) body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
      const to = (/^X-Rcpt: (.*)$/m.exec(head) || [])[1] || (/^To: (.*)$/m.exec(head) || [])[1] || '';
      const subject = (/^Subject: (.*)$/m.exec(head) || [])[1] || '';
      return { to, subject, body };
    });
}

// --- data and server ----------------------------------------------------------------------------

let studiesCache = null;
/** The generated test studies (tests/data/gen_studies.py, preset test), made once per run. */
export function studies() {
  if (studiesCache) return studiesCache;
  const dir = tmpDir('studies');
  execFileSync(PYTHON, [path.join(REPO, 'tests/data/gen_studies.py'), dir, '--preset', 'test', '--seed', '1'], { stdio: 'ignore' });
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  studiesCache = { dir, manifest, folders: manifest.studies.map((s) => path.join(dir, s.path)) };
  return studiesCache;
}

export function cli(data, args, input) {
  try {
    return execFileSync(CLI(), ['--data', data, ...args], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.status === 3) return e.stdout; // some files rejected: the test decides
    throw new Error(`portal ${args.join(' ')}: exit ${e.status}\n${e.stderr}`);
  }
}

/** Copies one DICOM file of a generated study with changed attributes (tests/dicom_variant.py). */
export function dicomVariant(source, out, changes) {
  const args = [path.join(here, 'dicom_variant.py'), source, out];
  for (const [k, v] of Object.entries(changes)) args.push(`${k}=${v}`);
  execFileSync(PYTHON, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  return out;
}

/**
 * A real portald on 127.0.0.1 over a fresh data directory with the generated studies and an
 * administrator `admin`. `smtp`: a startSmtp() server for the mails (else the spool folder);
 * `accounts`: more lines of the [accounts] section; `config`: more sections.
 */
export async function startPortal({ smtp, config = '', accounts = '', ingest = true, data: existing } = {}) {
  const data = existing || path.join(tmpDir('data'), 'data');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  if (!existing) {
    cli(data, ['init']);
    fs.writeFileSync(
      path.join(data, 'portal.toml'),
      `[accounts]\npublic_base_url = "${url}"\n${accounts}\n` +
        `[http]\nmail_interval_seconds = 1\naccess_log = ""\nweb_root = "${path.join(REPO, 'shells/http/web/dist')}"\n\n` +
        (smtp ? `[smtp]\nhost = "127.0.0.1"\nport = ${smtp.port}\n\n` : '') +
        config,
    );
    if (ingest) cli(data, ['ingest', ...studies().folders]);
    cli(data, ['admin', 'create', 'admin', '--email', 'admin@example.org', '--password-stdin'], PASSWORD + '\n');
  }
  const proc = spawn(PORTALD(), ['--data', data, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForLine(proc, /listening on http:\/\/127\.0\.0\.1:\d+/, 'portald');
  return {
    url,
    data,
    cli: (args, input) => cli(data, args, input),
    async stop() {
      const code = await stopProcess(proc);
      if (code !== 0) throw new Error(`portald exited ${code}`);
    },
  };
}

// --- browser ------------------------------------------------------------------------------------

/** Debian's Chromium, headless, with a fresh profile. Records page errors and dialogs. */
export async function openBrowser({ viewport = { width: 1400, height: 900 }, locale = 'en-US' } = {}) {
  const userDataDir = tmpDir('chromium');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport,
    locale,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || (await context.newPage());
  const events = { errors: [], dialogs: [], console: [], cspViolations: [] };
  page.on('pageerror', (e) => events.errors.push(String(e)));
  page.on('dialog', (d) => {
    events.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  page.on('console', (m) => {
    events.console.push(m.text());
    if (/Content Security Policy/i.test(m.text())) events.cspViolations.push(m.text());
  });
  return {
    context,
    page,
    events,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name + '.png'), fullPage: true });
}

export async function signIn(page, url, login, password = PASSWORD) {
  await page.goto(url + '/signin');
  await page.fill('#signin-user input[name=login]', login);
  await page.fill('#signin-user input[name=password]', password);
  await page.click('#signin-user button[type=submit]');
}

/** Adds an account with the CLI (active at once). */
export function addUser(server, login, profile, extra = []) {
  server.cli(['users', 'add', login, '--email', `${login}@example.org`, '--profile', profile,
    '--first-name', 'Test', '--last-name', login, ...extra, '--password-stdin'], PASSWORD + '\n');
}

// --- small files ------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A small greyscale PNG (zlib only), different for each seed. */
export function pngFile(file, { width = 32, height = 32, seed = 0 } = {}) {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = (x * 8 + y * 4 + seed * 37) & 0xff;
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlibSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  fs.writeFileSync(file, png);
  return file;
}

/** A one-page PDF. */
export function pdfFile(file) {
  const body = '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';
  fs.writeFileSync(file, body);
  return file;
}
