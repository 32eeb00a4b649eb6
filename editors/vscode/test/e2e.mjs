// The e2e driver, started by test/run.sh (which sets CODE_SERVER, VSIX, SELFTEST_VSIX, SEED, OUT).
//
// 1. installs the two .vsix into a fresh code-server user-data and extensions dir;
// 2. serves a workspace holding the seed (and a few fixtures) on 127.0.0.1 at a free port;
// 3. opens the workbench in headless Chromium (puppeteer-core) and runs "Marginalia E2E: Run
//    Self-Test" from the command palette, which checks the extension from inside VS Code and
//    writes result.json;
// 4. reads the notifications shown, saves test/out/workbench.png (Outline and Problems open),
//    prints every check and exits non-zero if one failed.
// Everything it starts is killed on the way out, on failure and on a watchdog too.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`e2e.mjs: ${name} is not set (run test/run.sh)`);
  return v;
};
const CODE_SERVER = env('CODE_SERVER');
const VSIX = env('VSIX');
const SELFTEST_VSIX = env('SELFTEST_VSIX');
const UNIVERSAL_VSIX = process.env.UNIVERSAL_VSIX; // without a server: for the not-found message
const SEED = env('SEED');
const OUT = env('OUT');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const WATCHDOG_MS = Number(process.env.E2E_TIMEOUT_MS || 6 * 60 * 1000);
const KEEP = process.env.E2E_KEEP === '1';

const started = Date.now();
const log = (...a) => console.log(`[e2e +${((Date.now() - started) / 1000).toFixed(1)}s]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-e2e-'));
const ws = path.join(tmp, 'workspace');
const resultFile = path.join(tmp, 'result.json');
const codeServers = [];
let browser;
let cleaned = false;

async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  if (browser) {
    const proc = browser.process();
    await Promise.race([browser.close().catch(() => undefined), sleep(5000)]);
    if (proc && proc.exitCode === null) killGroup(proc, 'SIGKILL');
  }
  for (const cs of codeServers) await stopCodeServer(cs);
  if (!KEEP) fs.rmSync(tmp, { recursive: true, force: true });
  else log(`kept ${tmp}`);
}

async function stopCodeServer(cs) {
  if (!groupAlive(cs.pid)) return;
  killGroup(cs, 'SIGTERM');
  for (let i = 0; i < 50 && groupAlive(cs.pid); i++) await sleep(100);
  if (groupAlive(cs.pid)) killGroup(cs, 'SIGKILL');
}

function killGroup(proc, signal) {
  try {
    process.kill(-proc.pid, signal); // the process group it leads (spawned detached)
  } catch {
    try {
      proc.kill(signal);
    } catch {
      // already gone
    }
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function fail(message) {
  console.error(`e2e: FAILED: ${message}`);
  await cleanup();
  process.exit(1);
}

process.on('SIGINT', () => fail('interrupted'));
process.on('SIGTERM', () => fail('terminated'));
process.on('unhandledRejection', (err) => fail(err && err.stack ? err.stack : String(err)));
const watchdog = setTimeout(() => fail(`watchdog: still running after ${WATCHDOG_MS / 1000} s`), WATCHDOG_MS);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// code-server writes a config.yaml into $XDG_CONFIG_HOME: keep it in the temporary folder.
const csEnv = {
  ...process.env,
  XDG_CONFIG_HOME: path.join(tmp, 'config'),
  // The extension is to find `marginalia` bundled in the .vsix: keep any other out of PATH.
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
};

function install(dirs, vsix) {
  const r = spawnSync(CODE_SERVER, [...dirs, '--install-extension', vsix], { encoding: 'utf8', env: csEnv });
  if (r.status !== 0) throw new Error(`installing ${vsix} failed:\n${r.stdout}\n${r.stderr}`);
  log(`installed ${path.basename(vsix)}: ${r.stdout.trim().split('\n').pop()}`);
}

/** A fresh user-data and extensions folder with `vsixes` installed, served on 127.0.0.1. */
async function startCodeServer(name, vsixes, settings, workspace) {
  const userData = path.join(tmp, `${name}-user-data`);
  const extensions = path.join(tmp, `${name}-extensions`);
  const dirs = ['--user-data-dir', userData, '--extensions-dir', extensions];
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 1));
  let t = Date.now();
  for (const vsix of vsixes) install(dirs, vsix);
  log(`${name}: extensions installed (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  const port = await freePort();
  const csLog = fs.openSync(path.join(OUT, `code-server-${name}.log`), 'w');
  const proc = spawn(
    CODE_SERVER,
    [
      ...dirs,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      workspace,
    ],
    { detached: true, stdio: ['ignore', csLog, csLog], env: csEnv },
  );
  codeServers.push(proc);
  t = Date.now();
  await waitHttp(proc, `http://127.0.0.1:${port}/healthz`, 60000);
  log(`${name}: code-server listening on 127.0.0.1:${port} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  return { proc, port, userData, url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}` };
}

async function openWorkbench(url) {
  const page = await browser.newPage();
  const t = Date.now();
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
  log(`workbench up (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  return page;
}

async function waitHttp(proc, url, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not yet listening
    }
    if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode}`);
    await sleep(250);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function runPaletteCommand(page, title, { attempts = 5 } = {}) {
  for (let i = 1; i <= attempts; i++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = await page.waitForSelector('.quick-input-widget .quick-input-box input', { visible: true, timeout: 10000 });
    await input.type(title, { delay: 5 });
    await sleep(500);
    const labels = await page.$$eval('.quick-input-list .monaco-list-row .quick-input-list-label', (rows) =>
      rows.map((r) => r.textContent || ''),
    );
    if (labels.some((l) => l.includes(title))) {
      await page.keyboard.press('Enter');
      return;
    }
    log(`palette: "${title}" not listed yet (attempt ${i}; saw ${JSON.stringify(labels.slice(0, 3))})`);
    await page.keyboard.press('Escape');
    await sleep(2000);
  }
  throw new Error(`the command palette never listed "${title}"`);
}

async function notificationTexts(page) {
  return page.$$eval('.notification-list-item', (items) =>
    items.map((it) => {
      const msg = it.querySelector('.notification-list-item-message');
      const source = it.querySelector('.notification-list-item-source');
      const sev = it.querySelector('.notification-list-item-icon');
      return {
        message: (msg && msg.textContent) || '',
        source: (source && source.textContent) || '',
        severity: sev ? (/codicon-(error|warning|info)\b/.exec(sev.className) || [])[1] || '' : '',
      };
    }),
  );
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  for (const f of ['workbench.png', 'server-not-found.png', 'server-missing.png', 'result.json', 'marginalia-output.log']) fs.rmSync(path.join(OUT, f), { force: true });

  // --- workspace, then code-server with both extensions
  fs.mkdirSync(ws);
  const seedName = path.basename(SEED);
  fs.copyFileSync(SEED, path.join(ws, seedName));
  for (const copy of ['insert.txt', 'reflow.txt', 'repair.txt']) fs.copyFileSync(SEED, path.join(ws, copy));
  fs.copyFileSync(path.join(HERE, 'fixtures', 'english.txt'), path.join(ws, 'english.txt'));
  fs.copyFileSync(path.join(HERE, 'fixtures', 'renumber.txt'), path.join(ws, 'renumber.txt'));
  fs.copyFileSync(path.join(HERE, 'fixtures', 'renumber.txt'), path.join(ws, 'chapter.notes.txt'));
  const baseSettings = {
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
  };
  const main = await startCodeServer('main', [VSIX, SELFTEST_VSIX], {
    ...baseSettings,
    'marginaliaSelftest.resultFile': resultFile,
    'marginaliaSelftest.fixtures': path.join(HERE, 'fixtures'),
  }, ws);
  const ud = main.userData;

  // --- Chromium
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: path.join(tmp, 'chromium'),
    defaultViewport: { width: 1600, height: 1100 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--lang=en-US',
    ],
  });
  const page = await openWorkbench(main.url);

  // --- the self-test, from the command palette
  let t = Date.now();
  await runPaletteCommand(page, 'Marginalia E2E: Run Self-Test');
  while (!fs.existsSync(resultFile)) {
    if (Date.now() - t > 4 * 60 * 1000) throw new Error('no result from the self-test within 4 minutes');
    await sleep(500);
  }
  const result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  fs.writeFileSync(path.join(OUT, 'result.json'), JSON.stringify(result, null, 1));
  log(`self-test done (${((Date.now() - t) / 1000).toFixed(1)} s in all, ${(result.elapsedMs / 1000).toFixed(1)} s inside VS Code)`);

  // --- what a person sees: Outline and Problems, then the notifications
  await page.waitForFunction(
    () => document.querySelectorAll('.outline-pane .monaco-list-row').length > 0 &&
      document.querySelectorAll('.markers-panel .monaco-list-row').length > 0,
    { timeout: 20000 },
  ).catch(() => log('the Outline or Problems list did not fill within 20 s'));
  // Give the Outline the sidebar: collapse the file tree's section above it.
  await page.evaluate(() => {
    const header = document.querySelector('.explorer-folders-view')?.closest('.pane')?.querySelector('.pane-header');
    if (header && header.getAttribute('aria-expanded') === 'true') header.click();
  });
  await sleep(1500);
  const ui = await page.evaluate(() => ({
    outlineRows: [...document.querySelectorAll('.outline-pane .monaco-list-row')].map((r) => r.textContent.trim()).slice(0, 30),
    problemRows: document.querySelectorAll('.markers-panel .monaco-list-row').length,
    problemsBadge: [...document.querySelectorAll('.composite-bar .badge-content, .action-item .badge .badge-content')].map((b) => b.textContent).filter(Boolean),
    statusProblems: (document.querySelector('#status\\.problems') || {}).textContent || '',
  }));
  const shot = path.join(OUT, 'workbench.png');
  await page.screenshot({ path: shot });
  log(`screenshot: ${shot}`);

  const toasts = await notificationTexts(page);
  await runPaletteCommand(page, 'Notifications: Show Notifications').catch((e) => log(String(e)));
  await sleep(800);
  const centre = await notificationTexts(page);
  const notifications = [...toasts, ...centre].filter(
    (n, i, all) => all.findIndex((m) => m.message === n.message) === i,
  );

  // --- the error path: a wrong marginalia.server.path gives one clear error message
  await page.keyboard.press('Escape');
  await runPaletteCommand(page, 'Notifications: Clear All Notifications').catch((e) => log(String(e)));
  await runPaletteCommand(page, 'Marginalia E2E: Set a Wrong Server Path');
  const errorNotes = await page
    .waitForFunction(
      () => {
        const items = [...document.querySelectorAll('.notification-list-item-message')].map((m) => m.textContent || '');
        const ours = items.filter((t) => t.includes('marginalia.server.path'));
        return ours.length ? ours : false;
      },
      { timeout: 20000 },
    )
    .then((h) => h.jsonValue())
    .catch(() => []);
  await sleep(1500); // a second message would have come by now
  const errorNotesLater = await page.$$eval('.notification-list-item-message', (ms) =>
    ms.map((m) => m.textContent || '').filter((t) => /marginalia/i.test(t)),
  );
  const errorShot = path.join(OUT, 'server-not-found.png');
  await page.screenshot({ path: errorShot });
  await runPaletteCommand(page, 'Marginalia E2E: Clear the Server Path');
  const restoreFile = `${resultFile}.restore.json`;
  for (let i = 0; i < 120 && !fs.existsSync(restoreFile); i++) await sleep(500);
  const restored = fs.existsSync(restoreFile) ? JSON.parse(fs.readFileSync(restoreFile, 'utf8')).checks : [];

  // --- no server anywhere (the universal .vsix, no setting, none on PATH): one clear message
  let missing;
  if (UNIVERSAL_VSIX) {
    await page.close();
    await stopCodeServer(main.proc);
    const bare = await startCodeServer('no-server', [UNIVERSAL_VSIX], baseSettings, ws);
    const page2 = await openWorkbench(bare.url);
    // Opening the seed (plain text) activates the extension.
    await page2.evaluate((name) => {
      const row = [...document.querySelectorAll('.explorer-folders-view .monaco-list-row')].find((r) => (r.textContent || '').includes(name));
      row?.click();
    }, seedName);
    const first = await page2
      .waitForFunction(
        () => {
          const ours = [...document.querySelectorAll('.notification-list-item-message')]
            .map((m) => m.textContent || '')
            .filter((x) => /marginalia/i.test(x));
          return ours.length ? ours : false;
        },
        { timeout: 30000, polling: 250 },
      )
      .then((h) => h.jsonValue())
      .catch(() => []);
    await sleep(2000); // a second message would have come by now
    const later = (await notificationTexts(page2)).filter((n) => /marginalia/i.test(n.message + n.source));
    const missingShot = path.join(OUT, 'server-missing.png');
    await page2.screenshot({ path: missingShot });
    missing = { first, later, screenshot: missingShot };
    await page2.close();
  }

  // --- the extension's output channel (from the extension host's logs)
  const outputLog = findFiles(path.join(ud, 'logs'), (f) => /Marginalia\.log$/.test(f))[0];
  const outputText = outputLog ? fs.readFileSync(outputLog, 'utf8') : '';
  fs.writeFileSync(path.join(OUT, 'marginalia-output.log'), outputText);

  // --- checks made out here
  const checks = [...result.checks];
  const add = (name, ok, detail, extra = {}) => checks.push({ name, ok: Boolean(ok), detail, ...extra });
  add('the extension started the server bundled in the .vsix', /server: .*\/server\/marginalia \(bundled\)/.test(outputText),
    outputText.split('\n').find((l) => l.includes('server:')) || '(no such line in the output channel)');
  add('marginalia.trace.server "messages" traces the Insert Note request in the output channel',
    /Sending request 'workspace\/executeCommand/.test(outputText) && /Received request 'workspace\/applyEdit/.test(outputText),
    outputText.split('\n').filter((l) => /executeCommand|applyEdit/.test(l)).slice(0, 4));
  const marginaliaNotes = notifications.filter((n) => /marginalia/i.test(n.message + n.source));
  add('no notification from marginalia or its server (e.g. settings not understood)', marginaliaNotes.length === 0, marginaliaNotes);
  add('a wrong marginalia.server.path: one error message naming the setting', errorNotes.length === 1 && errorNotesLater.length === 1 &&
    /no executable file is there/.test(errorNotes[0]), { first: errorNotes, after1500ms: errorNotesLater, screenshot: errorShot });
  if (missing) {
    add('no server anywhere: one error message that says how to install it',
      missing.later.length === 1 && missing.later[0].severity === 'error' &&
        /was not found/.test(missing.later[0].message) && /cargo install --path \./.test(missing.later[0].message) &&
        /marginalia\.server\.path/.test(missing.later[0].message),
      missing);
  }
  checks.push(...(restored.length ? restored : [{ name: 'the server path cleared, the server is back', ok: false, detail: 'no result' }]));
  add('the Outline view shows the seed\'s headings', ui.outlineRows.some((r) => r.includes('一、戰略性接近的內外動因')), ui.outlineRows.slice(0, 5));
  add('the status bar counts 13 errors', /13/.test(ui.statusProblems.split(/\s+/).filter(Boolean)[0] || ''), ui.statusProblems);

  // --- report
  console.log('');
  let passed = 0;
  let failed = 0;
  for (const c of checks) {
    let verdict;
    if (c.knownServerBug) verdict = c.ok ? 'XPASS' : 'XFAIL';
    else verdict = c.ok ? 'PASS ' : 'FAIL ';
    // A known server bug is expected to fail; once fixed, the mark must go (strict).
    const counts = c.knownServerBug ? !c.ok : c.ok;
    if (counts) passed++;
    else failed++;
    console.log(`${verdict} ${c.name}`);
    if (!c.ok || c.knownServerBug) {
      if (c.knownServerBug) console.log(`      known server bug: ${c.knownServerBug}${c.ok ? ' — fixed? remove the mark' : ''}`);
      if (c.detail !== undefined) console.log(`      ${JSON.stringify(c.detail).slice(0, 1500)}`);
    }
  }
  console.log('');
  console.log(`seed diagnostics: ${JSON.stringify(result.data.seedCounts)}; notifications seen: ${notifications.length}`);
  for (const n of notifications) console.log(`  notification [${n.severity}] ${n.source}: ${n.message}`);
  console.log(`screenshot: ${shot}`);
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  clearTimeout(watchdog);
  await cleanup();
  process.exit(failed === 0 ? 0 : 1);
}

function findFiles(dir, pred, out = []) {
  let entries = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findFiles(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out;
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
