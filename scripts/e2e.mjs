// `npm run test:e2e`: builds the extension, installs/caches code-server in .tools/, then runs the suite
// (test/e2e/run.ts) in its own process group so that everything it started can be killed on any exit.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { codeServerBin, installCodeServer } from './e2e-install.mjs';

const t0 = Date.now();
if (!process.env.MIMLAB_E2E_SKIP_BUILD) {
  const b = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
installCodeServer();
console.log(`[e2e] build + tools ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const child = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/run.ts', ...process.argv.slice(2)], {
  stdio: 'inherit', detached: true, env: { ...process.env, CODE_SERVER_ENTRY: codeServerBin() },
});
const killGroup = (pid) => {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
};
/** The suite's own group, and the groups it recorded (code-server, Chromium), whatever way it ended. */
const killAll = () => {
  killGroup(child.pid);
  try {
    for (const pid of JSON.parse(readFileSync('.test-output/e2e/pgids.json', 'utf8'))) killGroup(pid);
  } catch {
    // nothing recorded
  }
};
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { killAll(); process.exit(130); });
const timeoutMs = Number(process.env.MIMLAB_E2E_TIMEOUT_MS ?? 10 * 60_000);
const timer = setTimeout(() => {
  console.error(`[e2e] suite exceeded ${timeoutMs / 1000} s; killing it`);
  killAll();
}, timeoutMs);
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  killAll();
  process.exit(code ?? (signal ? 1 : 0));
});
