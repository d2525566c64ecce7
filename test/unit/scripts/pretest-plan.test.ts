// The pretest's decision (scripts/pretest-plan.mjs): which packages are missing on a machine → which commands.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type * as Plan from '../../../scripts/pretest-plan.mjs';

let P: typeof Plan;
before(async () => {
  P = await import('../../../scripts/pretest-plan.mjs');
});

const MIRROR = 'http://mirror.example/debian';

/** A bookworm machine with everything the suite needs, as root. */
function complete(over: Partial<Plan.MachineFacts> = {}): Plan.MachineFacts {
  return {
    debian: { codename: 'bookworm' }, aptGet: true, root: true, sudo: false,
    installed: {
      chromium: '156.0', 'mesa-vulkan-drivers': '25.0.7-2~bpo12+1', libvulkan1: '1.3.239.0-1', 'python3-torch': '1.13.1+dfsg-4',
      'libopenblas0-pthread': '0.3.21+ds-4', 'python3-pil': '9.4.0-1.1',
    },
    files: ['/usr/bin/chromium', '/usr/include/krb5.h'], commands: ['rg', 'make', 'g++', 'apt-get', 'dpkg-query'],
    codeServerInstalled: false, backportsSource: true, mirror: MIRROR, ...over,
  };
}

function without(f: Plan.MachineFacts, ...pkgs: string[]): Plan.MachineFacts {
  const installed = { ...f.installed };
  for (const p of pkgs) delete installed[p];
  return { ...f, installed };
}

describe('pretest plan', () => {
  it('does nothing, not even apt-get update, when everything is present', () => {
    const plan = P.planSetup(complete());
    assert.equal(plan.run, 'nothing');
    assert.deepEqual(plan.commands, []);
  });

  it('installs the missing Debian packages in one apt-get install after an update', () => {
    const plan = P.planSetup(without(complete({ files: ['/usr/include/krb5.h'] }), 'python3-torch', 'python3-pil'));
    assert.equal(plan.run, 'install');
    assert.deepEqual(plan.missing.map((r) => r.packages), [['chromium'], ['python3-torch', 'libopenblas0-pthread'], ['python3-pil']]);
    assert.deepEqual(plan.commands, [
      'apt-get update',
      'apt-get install -y --no-install-recommends chromium python3-torch libopenblas0-pthread python3-pil',
    ]);
  });

  it('takes Mesa from bookworm-backports when the installed one is older than 25, adding the source from the mirror', () => {
    const plan = P.planSetup(complete({ backportsSource: false, installed: { ...complete().installed, 'mesa-vulkan-drivers': '22.3.6-1+deb12u1' } }));
    assert.equal(plan.run, 'install');
    assert.deepEqual(plan.commands, [
      `echo 'deb ${MIRROR} bookworm-backports main' | tee /etc/apt/sources.list.d/backports.list`,
      'apt-get update',
      'apt-get install -y --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1',
    ]);
  });

  it('installs Mesa from the release itself where it is new enough (not bookworm)', () => {
    const plan = P.planSetup(without(complete({ debian: { codename: 'trixie' }, backportsSource: false }), 'mesa-vulkan-drivers', 'libvulkan1'));
    assert.deepEqual(plan.commands, ['apt-get update', 'apt-get install -y --no-install-recommends mesa-vulkan-drivers libvulkan1']);
  });

  it('needs ripgrep, libkrb5-dev and build-essential only while code-server is not installed', () => {
    const bare = complete({ files: ['/usr/bin/chromium'], commands: ['apt-get', 'dpkg-query'] });
    assert.deepEqual(P.planSetup(bare).missing.map((r) => r.packages[0]), ['ripgrep', 'libkrb5-dev', 'build-essential']);
    assert.equal(P.planSetup({ ...bare, codeServerInstalled: true }).run, 'nothing');
  });

  it('uses sudo when not root and sudo needs no password', () => {
    const plan = P.planSetup(without(complete({ root: false, sudo: true }), 'python3-pil'));
    assert.equal(plan.run, 'install');
    assert.deepEqual(plan.commands, ['sudo apt-get update', 'sudo apt-get install -y --no-install-recommends python3-pil']);
  });

  it('refuses with the exact commands when neither root nor passwordless sudo', () => {
    const plan = P.planSetup(complete({ root: false, sudo: false, backportsSource: false, installed: { ...complete().installed, 'mesa-vulkan-drivers': '' } }));
    assert.equal(plan.run, 'refuse');
    assert.match(plan.reason ?? '', /not root and sudo needs a password/);
    assert.deepEqual(plan.commands, [
      `echo 'deb ${MIRROR} bookworm-backports main' | sudo tee /etc/apt/sources.list.d/backports.list`,
      'sudo apt-get update',
      'sudo apt-get install -y --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1',
    ]);
  });

  it('refuses on a machine that is not Debian, naming the packages', () => {
    const plan = P.planSetup(without(complete({ debian: null }), 'python3-torch'));
    assert.equal(plan.run, 'refuse');
    assert.match(plan.reason ?? '', /not a Debian machine/);
    assert.deepEqual(plan.missing.map((r) => r.packages), [['python3-torch', 'libopenblas0-pthread']]);
  });

  it('refuses when Mesa needs backports and no source names the release to derive it from', () => {
    const plan = P.planSetup(without(complete({ backportsSource: false, mirror: null }), 'libvulkan1'));
    assert.equal(plan.run, 'refuse');
    assert.match(plan.reason ?? '', /bookworm-backports/);
  });
});

describe('apt sources', () => {
  const deb822 = 'Types: deb\n# a comment\nURIs: http://a.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\n'
    + 'Types: deb\nURIs: http://a.example/debian-security\nSuites: bookworm-security\nComponents: main\n';
  it('reads the mirror of the release from deb822 and one-line sources', () => {
    assert.equal(P.mirrorFor('bookworm', [deb822]), 'http://a.example/debian');
    assert.equal(P.mirrorFor('bookworm', ['# deb http://old.example/debian bookworm main\ndeb [arch=amd64] http://b.example/debian bookworm main contrib\n']), 'http://b.example/debian');
    assert.equal(P.mirrorFor('trixie', [deb822]), null);
  });
  it('sees a backports source unless it is commented out', () => {
    assert.equal(P.hasBackportsSource('bookworm', [deb822]), false);
    assert.equal(P.hasBackportsSource('bookworm', ['deb http://a.example/debian bookworm-backports main\n']), true);
    assert.equal(P.hasBackportsSource('bookworm', ['# deb http://a.example/debian bookworm-backports main\n']), false);
  });
  it('reads the Mesa major version through epochs and backport suffixes', () => {
    assert.equal(P.mesaMajor('25.0.7-2~bpo12+1'), 25);
    assert.equal(P.mesaMajor('1:22.3.6-1'), 22);
    assert.equal(P.mesaMajor(undefined), 0);
  });
});
