// `npm test` runs this first: it checks the Debian packages the suite needs (scripts/pretest-plan.mjs says which
// and why), installs the missing ones with apt-get when it runs as root or with passwordless sudo, and otherwise
// stops before any test with the exact commands to run. When everything is present it only asks dpkg (no apt-get
// update), which takes a few milliseconds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeServerInstalled } from './e2e-install.mjs';
import { ALL_PACKAGES, hasBackportsSource, mirrorFor, planSetup } from './pretest-plan.mjs';

const FILES = ['/usr/bin/chromium', '/usr/include/krb5.h', '/usr/include/krb5/krb5.h'];
const COMMANDS = ['rg', 'make', 'g++', 'apt-get', 'dpkg-query', 'sudo'];

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v '${cmd}'`], { stdio: 'ignore' }).status === 0;
}

function debianRelease() {
  if (!existsSync('/etc/os-release')) return null;
  const text = readFileSync('/etc/os-release', 'utf8');
  const field = (name) => new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm').exec(text)?.[1] ?? '';
  const isDebian = field('ID') === 'debian' || field('ID_LIKE').split(/\s+/).includes('debian');
  return isDebian ? { codename: field('VERSION_CODENAME') } : null;
}

/** Installed versions of the packages, from one dpkg-query call. */
function installedVersions() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev} ${Version}\\n', ...ALL_PACKAGES], { encoding: 'utf8' });
  const out = {};
  for (const line of (r.stdout ?? '').split('\n')) {
    const [pkg, status, version] = line.trim().split(/\s+/);
    if (pkg && status === 'ii') out[pkg.split(':')[0]] = version ?? '';
  }
  return out;
}

function aptSourceTexts() {
  const files = existsSync('/etc/apt/sources.list') ? ['/etc/apt/sources.list'] : [];
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) files.push(...readdirSync(dir).filter((f) => /\.(list|sources)$/.test(f)).map((f) => join(dir, f)));
  return files.map((f) => readFileSync(f, 'utf8'));
}

function gatherFacts() {
  const debian = debianRelease();
  const commands = COMMANDS.filter(onPath);
  const root = process.getuid?.() === 0;
  const sources = debian ? aptSourceTexts() : [];
  return {
    debian, aptGet: commands.includes('apt-get') && commands.includes('dpkg-query'), root,
    sudo: !root && commands.includes('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0,
    installed: debian ? installedVersions() : {}, files: FILES.filter((f) => existsSync(f)), commands,
    codeServerInstalled: codeServerInstalled(), backportsSource: debian ? hasBackportsSource(debian.codename, sources) : false,
    mirror: debian ? mirrorFor(debian.codename, sources) : null,
  };
}

function run(plan) {
  const sudo = plan.prefix ? ['sudo'] : [];
  for (const [i, step] of plan.steps.entries()) {
    console.log(`[pretest] $ ${plan.commands[i]}`);
    if (step.kind === 'add-source') {
      const r = sudo.length ? spawnSync('sudo', ['tee', step.path], { input: `${step.line}\n`, stdio: ['pipe', 'ignore', 'inherit'] }) : null;
      if (r === null) writeFileSync(step.path, `${step.line}\n`);
      else if (r.status !== 0) return false;
      continue;
    }
    // Wait for another apt run's lock instead of failing (other checkouts may run their pretest at the same time).
    const args = ['-o', 'DPkg::Lock::Timeout=300', '-q', ...step.args];
    const r = spawnSync(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), ...args], {
      stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0) return false;
  }
  return true;
}

const started = performance.now();
const plan = planSetup(gatherFacts());
if (plan.run === 'nothing') {
  console.log(`[pretest] system packages for the tests: all present (${(performance.now() - started).toFixed(0)} ms)`);
  process.exit(0);
}
console.log('[pretest] the tests need system packages that are missing:');
for (const r of plan.missing) console.log(`[pretest]   ${r.packages.join(' ')}: ${r.why}`);
if (plan.run === 'refuse') {
  console.error(`[pretest] cannot install them: ${plan.reason}`);
  for (const c of plan.commands) console.error(`    ${c}`);
  process.exit(1);
}
console.log(`[pretest] installing them with apt-get${plan.prefix ? ' through sudo' : ' (running as root)'}:`);
if (!run(plan)) {
  console.error('[pretest] the install failed (apt-get\'s error is above); the commands were:');
  for (const c of plan.commands) console.error(`    ${c}`);
  process.exit(1);
}
const after = planSetup(gatherFacts());
if (after.run !== 'nothing') {
  console.error(`[pretest] still missing after the install: ${after.missing.flatMap((r) => r.packages).join(' ')}`);
  process.exit(1);
}
console.log(`[pretest] installed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
