// Runs the console's end-to-end specs in Debian's headless Chromium,
// driven by playwright-core (never a browser download). Started by the Go
// test web/e2e_test.go, which serves the app on a fresh database and
// passes what it seeded in E2E_FIXTURE. Every *.spec.mjs file here exports
// `specs`, a list of {name, run(t)}; they run in order. Any failed step,
// uncaught page error, console error or dialog fails the run; a
// screenshot of every page visited is kept in the artifacts folder.
import { chromium } from 'playwright-core';
import { readdir, mkdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const fx = JSON.parse(process.env.E2E_FIXTURE || '{}');
if (!fx.base) {
  console.error('E2E_FIXTURE is not set: run this through `go test ./web/ -run TestConsoleInBrowser`');
  process.exit(2);
}
const artifacts = fx.artifacts || path.join(here, 'artifacts');
await mkdir(artifacts, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // Playwright gives every launch a fresh, temporary profile (user data
  // dir) of its own; these keep Chromium from reaching anywhere else.
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

let shot = 0;
const problems = [];

// session opens a browser context of its own (its own cookies: one person)
// with a page watched for errors.
async function session(t, who) {
  const context = await browser.newContext({ baseURL: fx.base, locale: 'id-ID', timezoneId: 'Asia/Jakarta',
    viewport: { width: 1366, height: 900 } });
  t.contexts.push(context);
  const page = await context.newPage();
  watch(t, page, who);
  context.on('page', (p) => watch(t, p, who + ' (tab)'));
  return page;
}

function watch(t, page, who) {
  page.allowed = [];
  page.on('pageerror', (e) => problems.push(`${t.name} [${who}] page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const i = page.allowed.findIndex((re) => re.test(m.text()));
    if (i >= 0) { page.allowed.splice(i, 1); return; }
    problems.push(`${t.name} [${who}] console error: ${m.text()}`);
  });
  page.on('dialog', async (d) => {
    problems.push(`${t.name} [${who}] unexpected dialog: ${d.type()} ${d.message()}`);
    await d.dismiss();
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(fx.base) && !u.startsWith('data:') && !u.startsWith('about:')) {
      problems.push(`${t.name} [${who}] request outside the app: ${u}`);
    }
  });
}

// snap keeps a screenshot of the page as an artifact.
async function snap(page, name) {
  shot += 1;
  const file = path.join(artifacts, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// login logs in through the login page at /.
async function login(page, email) {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Kata sandi').fill(fx.password);
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.waitForURL('**/console/antrean');
}

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

const files = (await readdir(here)).filter((f) => f.endsWith('.spec.mjs')).sort();
let failed = 0;
let ran = 0;
const only = process.env.E2E_ONLY;
for (const f of files) {
  const mod = await import(pathToFileURL(path.join(here, f)).href);
  for (const spec of mod.specs) {
    if (only && !spec.name.includes(only)) continue;
    ran += 1;
    const t = { name: spec.name, fx, contexts: [], session: (who) => session(t, who), snap, login, check };
    const before = problems.length;
    const started = Date.now();
    try {
      await spec.run(t);
    } catch (e) {
      problems.push(`${spec.name}: ${e.stack || e.message}`);
      for (const c of t.contexts) {
        for (const p of c.pages()) await snap(p, 'GAGAL-' + spec.name.replace(/[^a-z0-9]+/gi, '-')).catch(() => {});
      }
    }
    for (const c of t.contexts) await c.close();
    const ok = problems.length === before;
    if (!ok) failed += 1;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${spec.name} (${Date.now() - started} ms)`);
    for (const p of problems.slice(before)) console.log('     ' + p);
  }
}
await browser.close();
console.log(`${ran - failed}/${ran} specs passed; screenshots in ${artifacts}`);
process.exit(failed || ran === 0 ? 1 : 0);
