// The end-to-end suite: one code-server + one Chromium, the scenarios of issue 7 in order, a screenshot per
// scenario (and on failure the browser console and extension-host logs) under .test-output/e2e/, and a final
// check that no code-server, Chromium or trainer process is left. Run through `npm run test:e2e`.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';
import { CodeServer, killGroup } from './code-server';
import { leftoverProcesses, processSnapshot } from './processes';
import { SCENARIOS, type Ctx } from './scenarios';
import { EXTENSION_ID, Workbench } from './workbench';

const ROOT = resolve(__dirname, '../..');
const OUT = join(ROOT, '.test-output', 'e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface ConsoleEntry { type: string; text: string; url: string; at: number }

/**
 * Console errors that are expected noise of code-server itself: the closed-source `vsda` module is absent (404),
 * and the workbench cancels its own reads of workspace config files when a window is reloaded or closed.
 */
const EXPECTED_ERRORS = [
  /\/vsda\//,
  /Unable to read file '[^']*\/\.vscode\/(settings|tasks|launch|mcp|extensions)\.json' \(Canceled: Canceled\)/,
];

/** Any error, any CSP violation, and any warning our own webview scripts print fails the scenario. */
function isUnexpected(e: ConsoleEntry): boolean {
  if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(e.text)) return true;
  if (e.type === 'warning' && /dist\/webview\/|(run|compare)-panel\.js/.test(e.url)) return true;
  if (e.type !== 'error') return false;
  return !EXPECTED_ERRORS.some((re) => re.test(e.text) || re.test(e.url));
}

async function main(): Promise<number> {
  const entry = process.env.CODE_SERVER_ENTRY;
  if (!entry || !existsSync(entry)) throw new Error('CODE_SERVER_ENTRY is not set; run through `npm run test:e2e`');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
  const only = process.argv.slice(2);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const root = mkdtempSync(join(tmpdir(), 'mimlab-e2e-'));
  const before = processSnapshot();
  const server = new CodeServer({
    entry, root, extensionDir: ROOT, extensionId: EXTENSION_ID, extensionVersion: pkg.version, fixtureRuns: join(ROOT, 'test/fixtures/runs'),
    userSettings: {
      'mimLab.backend': process.env.MIMLAB_E2E_BACKEND ?? 'auto',
      ...(process.env.MIMLAB_E2E_THEME ? { 'workbench.colorTheme': process.env.MIMLAB_E2E_THEME } : {}),
    },
  });
  let browserServer: BrowserServer | null = null;
  let browser: Browser | null = null;
  const groups: number[] = [];
  /** Process groups to kill: also read by scripts/e2e.mjs in case this process is killed outright. */
  const recordGroup = (pid: number | undefined): void => {
    if (!pid) return;
    groups.push(pid);
    writeFileSync(join(OUT, 'pgids.json'), JSON.stringify(groups));
  };
  const onExit = (): void => {
    for (const g of groups) killGroup(g, 'SIGKILL');
  };
  process.on('exit', onExit);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));
  const results: { name: string; ok: boolean; ms: number; error?: string }[] = [];
  const consoleLog: ConsoleEntry[] = [];
  const t0 = Date.now();
  try {
    server.prepare();
    const url = await server.start();
    recordGroup(server.pid);
    console.log(`[e2e] code-server ready in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${url}`);
    browserServer = await chromium.launchServer({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    recordGroup(browserServer.process().pid);
    browser = await chromium.connect(browserServer.wsEndpoint());
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page: Page = await context.newPage();
    const watch = (p: Page): void => {
      p.on('console', (m) => consoleLog.push({ type: m.type(), text: m.text(), url: m.location().url, at: Date.now() }));
      p.on('pageerror', (err) => consoleLog.push({ type: 'error', text: `pageerror: ${err.message}`, url: '', at: Date.now() }));
    };
    watch(page);
    await page.goto(url);
    const wb = new Workbench(page);
    await wb.waitReady();
    let start = Date.now();
    const waitConsole = async (re: RegExp, timeoutMs = 10_000): Promise<string> => {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const hit = consoleLog.find((e) => e.at >= start && re.test(e.text));
        if (hit) return hit.text;
        await page.waitForTimeout(100);
      }
      throw new Error(`no console message matching ${re}`);
    };
    const ctx: Ctx = { wb, page, server, out: OUT, state: {}, waitConsole, watch, recordGroup, log: (m) => console.log(`[e2e]      +${((Date.now() - start) / 1000).toFixed(1)} s ${m}`) };
    for (const s of SCENARIOS) {
      if (only.length && !only.some((o) => s.name.startsWith(o))) continue;
      start = Date.now();
      const mark = consoleLog.length;
      const slug = s.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      try {
        await s.run(ctx);
        const bad = consoleLog.slice(mark).filter((e) => isUnexpected(e) && !(s.expectedErrors ?? []).some((re) => re.test(e.text)));
        if (bad.length) throw new Error(`unexpected console errors:\n${bad.map((e) => `  ${e.text} (${e.url})`).join('\n')}`);
        await page.screenshot({ path: join(OUT, `${slug}.png`) });
        results.push({ name: s.name, ok: true, ms: Date.now() - start });
        console.log(`[e2e] ok   ${s.name} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
      } catch (err) {
        const msg = (err as Error).stack ?? String(err);
        results.push({ name: s.name, ok: false, ms: Date.now() - start, error: msg });
        console.log(`[e2e] FAIL ${s.name} (${((Date.now() - start) / 1000).toFixed(1)} s)\n${msg}`);
        await page.screenshot({ path: join(OUT, `${slug}-FAILED.png`) }).catch(() => undefined);
        writeFileSync(join(OUT, `${slug}-console.log`), consoleLog.map((e) => `${new Date(e.at).toISOString()} ${e.type} ${e.text} ${e.url}`).join('\n'));
        cpSync(join(server.dataDir, 'logs'), join(OUT, `${slug}-logs`), { recursive: true });
        if (s.fatal) break;
      }
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await browserServer?.close().catch(() => undefined);
    await server.stop();
    writeFileSync(join(OUT, 'code-server.log'), server.log);
    if (existsSync(join(server.dataDir, 'logs'))) cpSync(join(server.dataDir, 'logs'), join(OUT, 'logs'), { recursive: true });
    writeFileSync(join(OUT, 'console.log'), consoleLog.map((e) => `${new Date(e.at).toISOString()} ${e.type} ${e.text} ${e.url}`).join('\n'));
  }
  const left = await leftoverProcesses(before, root);
  if (left.length) {
    results.push({ name: 'no processes left behind', ok: false, ms: 0, error: left.map((p) => `${p.pid} ${p.cmd}`).join('\n') });
    for (const p of left) killGroup(p.pid, 'SIGKILL');
  }
  if (!process.env.MIMLAB_E2E_KEEP) rmSync(root, { recursive: true, force: true });
  const failed = results.filter((r) => !r.ok);
  console.log(`\n[e2e] ${results.length - failed.length}/${results.length} passed in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${OUT}`);
  for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name} ${(r.ms / 1000).toFixed(1)} s${r.error ? `\n    ${r.error.split('\n').join('\n    ')}` : ''}`);
  writeFileSync(join(OUT, 'results.json'), JSON.stringify(results, null, 2));
  return failed.length || results.length === 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
