// Installs code-server (the real VS Code, served to a browser) into a cached tool folder outside node_modules.
// Recipe and pitfalls: shared/notes/e2e-in-vscode.md. Idempotent: a finished install is reused.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, copyFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
const RIPGREP_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

/** Folder holding this version's install, keyed on the Node major so a Node upgrade rebuilds native modules. */
export function codeServerDir(root = process.cwd()) {
  const nodeMajor = process.versions.node.split('.')[0];
  return resolve(root, '.tools', `code-server-${CODE_SERVER_VERSION}-node${nodeMajor}`);
}

export function codeServerBin(root = process.cwd()) {
  return join(codeServerDir(root), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

/** @vscode/ripgrep downloads rg from GitHub in its postinstall; seed its cache with Debian's rg instead. */
function seedRipgrepCache() {
  const rg = which('rg');
  if (!rg) throw new Error('ripgrep is missing: apt-get install -y ripgrep');
  const cache = join(tmpdir(), `vscode-ripgrep-cache-${RIPGREP_VERSION}`);
  const tarball = join(cache, RIPGREP_ASSET);
  if (existsSync(tarball)) return;
  mkdirSync(cache, { recursive: true });
  const stage = mkdtempSync(join(tmpdir(), 'rg-stage-'));
  copyFileSync(rg, join(stage, 'rg'));
  execFileSync('tar', ['-czf', tarball, '-C', stage, 'rg']);
  rmSync(stage, { recursive: true, force: true });
}

/** What the install needs from the system: the Debian packages that `npm test`'s pretest installs (scripts/pretest-plan.mjs). */
function preflight() {
  const missing = [];
  if (!which('rg')) missing.push('ripgrep');
  if (!existsSync('/usr/include/krb5.h') && !existsSync('/usr/include/krb5/krb5.h')) missing.push('libkrb5-dev');
  for (const [cmd, pkg] of [['make', 'make'], ['g++', 'g++'], ['python3', 'python3']]) if (!which(cmd)) missing.push(pkg);
  if (!existsSync('/usr/include/node/node.h')) missing.push('Node.js headers in /usr/include/node (the nodejs package)');
  if (missing.length) throw new Error(`cannot install code-server for the e2e tests; missing: ${missing.join(', ')} (node scripts/pretest.mjs installs the packages, or apt-get install -y ripgrep libkrb5-dev build-essential python3)`);
}

/** Whether a finished install of this version is in .tools/ (then the packages it needed are not needed any more). */
export function codeServerInstalled(root = process.cwd()) {
  return existsSync(join(codeServerDir(root), '.installed')) && existsSync(codeServerBin(root));
}

export function installCodeServer(root = process.cwd()) {
  const dir = codeServerDir(root);
  const marker = join(dir, '.installed');
  if (codeServerInstalled(root)) return dir;
  preflight();
  const started = Date.now();
  console.log(`[e2e] installing code-server@${CODE_SERVER_VERSION} into ${dir} (first run only, ~1-3 min)`);
  seedRipgrepCache();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mimlab-e2e-tools', private: true }, null, 2));
  const env = {
    ...process.env,
    npm_config_nodedir: '/usr',
    npm_config_yes: 'true',
    npm_config_dangerously_allow_all_scripts: 'true',
    npm_config_unsafe_perm: 'true',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
  };
  const r = spawnSync('npm', ['install', '--no-save', '--foreground-scripts', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  writeFileSync(join(dir, 'install.log'), `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  if (r.status !== 0 || !existsSync(codeServerBin(root))) {
    throw new Error(`code-server install failed (exit ${r.status}); see ${join(dir, 'install.log')}\n${(r.stderr ?? '').slice(-3000)}`);
  }
  writeFileSync(marker, new Date().toISOString());
  console.log(`[e2e] code-server installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return dir;
}

if (import.meta.url === `file://${process.argv[1]}`) installCodeServer();
