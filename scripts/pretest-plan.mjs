// What `npm test` needs from the system, and the decision of what to do about it: a pure function of the machine's
// facts (gathered by scripts/pretest.mjs), so the decision is unit-tested without touching the machine.

/** The Mesa whose software Vulkan (lavapipe) Dawn accepts; bookworm's own 22.3 is rejected. */
export const MIN_MESA_MAJOR = 25;

/** Debian releases whose Mesa is too old: Mesa comes from their backports suite. */
const MESA_FROM_BACKPORTS = new Set(['bookworm']);

/**
 * Each requirement: the Debian packages that provide it, why the suite needs it, when it is needed (some only
 * to install code-server, which is cached in .tools/ once installed) and how to tell it is present.
 * `backports`: installed from `<codename>-backports` on releases listed in MESA_FROM_BACKPORTS.
 */
export const REQUIREMENTS = [
  {
    packages: ['chromium'],
    why: 'the report renders and the end-to-end tests drive Debian\'s Chromium (/usr/bin/chromium)',
    present: (f) => f.files.includes('/usr/bin/chromium'),
  },
  {
    packages: ['ripgrep'],
    why: 'installing code-server for the end-to-end tests (its ripgrep download is seeded from Debian\'s rg)',
    onlyToInstallCodeServer: true,
    present: (f) => f.commands.includes('rg'),
  },
  {
    packages: ['libkrb5-dev'],
    why: 'installing code-server for the end-to-end tests (its kerberos module compiles against krb5.h)',
    onlyToInstallCodeServer: true,
    present: (f) => f.files.includes('/usr/include/krb5.h') || f.files.includes('/usr/include/krb5/krb5.h'),
  },
  {
    packages: ['build-essential'],
    why: 'installing code-server for the end-to-end tests (its native modules compile with make and g++)',
    onlyToInstallCodeServer: true,
    present: (f) => f.commands.includes('make') && f.commands.includes('g++'),
  },
  {
    packages: ['mesa-vulkan-drivers', 'libvulkan1'],
    why: `the webgpu test runs Dawn on software Vulkan, which needs Mesa ≥ ${MIN_MESA_MAJOR} (bookworm's Mesa 22 is rejected)`,
    backports: true,
    present: (f) => mesaMajor(f.installed['mesa-vulkan-drivers']) >= MIN_MESA_MAJOR && f.installed.libvulkan1 !== undefined,
  },
  {
    packages: ['python3-torch', 'libopenblas0-pthread'],
    why: 'the torch engine\'s tests run /usr/bin/python3 with Debian\'s PyTorch (OpenBLAS: without it torch uses the reference BLAS, ~20× slower)',
    present: (f) => f.installed['python3-torch'] !== undefined && f.installed['libopenblas0-pthread'] !== undefined,
  },
  {
    packages: ['python3-pil'],
    why: 'the torch engine decodes folder datasets (PNG/JPEG) with Pillow',
    present: (f) => f.installed['python3-pil'] !== undefined,
  },
];

/** Every package any requirement names (what scripts/pretest.mjs asks dpkg about). */
export const ALL_PACKAGES = REQUIREMENTS.flatMap((r) => r.packages);

/** The major version of a Debian version string ("25.0.7-2~bpo12+1" → 25; epochs skipped); 0 when absent. */
export function mesaMajor(version) {
  const m = /^(?:\d+:)?(\d+)/.exec(version ?? '');
  return m ? Number(m[1]) : 0;
}

/** The requirements this machine lacks (those only for installing code-server count while it is not installed). */
export function missingRequirements(facts) {
  return REQUIREMENTS.filter((r) => !(r.onlyToInstallCodeServer && facts.codeServerInstalled) && !r.present(facts));
}

/**
 * What to do: nothing, or the steps that install what is missing, with how to run them.
 * facts: { debian: { codename } | null, aptGet: boolean, root: boolean, sudo: boolean, installed: {pkg: version},
 *          files: string[], commands: string[], codeServerInstalled: boolean, backportsSource: boolean, mirror: string | null }
 * Returns { missing, steps, commands, run: 'nothing' | 'install' | 'refuse', prefix, reason? }:
 * steps are { kind: 'add-source', path, line } | { kind: 'apt', args }; commands are the same as shell text.
 */
export function planSetup(facts) {
  const missing = missingRequirements(facts);
  if (missing.length === 0) return { missing, steps: [], commands: [], run: 'nothing', prefix: '' };
  const prefix = facts.root ? '' : 'sudo ';
  if (!facts.debian || !facts.aptGet) {
    return {
      missing, steps: [], commands: [], run: 'refuse', prefix,
      reason: 'this is not a Debian machine with apt-get: install the equivalents of these Debian packages yourself',
    };
  }
  const { codename } = facts.debian;
  const fromBackports = MESA_FROM_BACKPORTS.has(codename);
  const plain = missing.filter((r) => !(r.backports && fromBackports)).flatMap((r) => r.packages);
  const backported = missing.filter((r) => r.backports && fromBackports).flatMap((r) => r.packages);
  const steps = [];
  let reason;
  if (backported.length && !facts.backportsSource) {
    if (facts.mirror) {
      steps.push({ kind: 'add-source', path: '/etc/apt/sources.list.d/backports.list', line: `deb ${facts.mirror} ${codename}-backports main` });
    } else {
      reason = `no apt source for ${codename} found to derive a ${codename}-backports source from: add one for ${codename}-backports main`;
    }
  }
  steps.push({ kind: 'apt', args: ['update'] });
  const install = ['install', '-y', '--no-install-recommends'];
  if (plain.length) steps.push({ kind: 'apt', args: [...install, ...plain] });
  if (backported.length) steps.push({ kind: 'apt', args: [...install, '-t', `${codename}-backports`, ...backported] });
  const commands = steps.map((s) => s.kind === 'add-source'
    ? `echo '${s.line}' | ${prefix}tee ${s.path}`
    : `${prefix}apt-get ${s.args.join(' ')}`);
  if (reason) return { missing, steps, commands, run: 'refuse', prefix, reason };
  if (!facts.root && !facts.sudo) {
    return { missing, steps, commands, run: 'refuse', prefix, reason: 'not root and sudo needs a password: run these commands, then npm test again' };
  }
  return { missing, steps, commands, run: 'install', prefix };
}

/** The mirror of the machine's apt source for `codename` (one-line or deb822 format), or null. */
export function mirrorFor(codename, sourceFiles) {
  for (const text of sourceFiles) {
    for (const line of text.split('\n')) {
      const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s/.exec(line);
      if (m && m[2] === codename) return m[1];
    }
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1].trim() ?? '';
      if (field('Types').split(/\s+/).includes('deb') && field('Suites').split(/\s+/).includes(codename)) return field('URIs').split(/\s+/)[0] || null;
    }
  }
  return null;
}

/** Whether any apt source already names `<codename>-backports`. */
export function hasBackportsSource(codename, sourceFiles) {
  const suite = `${codename}-backports`;
  return sourceFiles.some((text) => text.split('\n').some((line) => !/^\s*#/.test(line) && new RegExp(`(^|\\s)${suite}(\\s|$)`).test(line)));
}
