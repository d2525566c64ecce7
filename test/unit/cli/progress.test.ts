// The progress line (src/util/progress.ts): its fields and ETA, the ~10 s rate limit in a pipe (fake clock), the
// in-place redraw on a TTY (\r, width), and the CLI's default vs --quiet output.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { formatDuration, formatProgress, ProgressLine, type ProgressUpdate } from '../../../src/util/progress';
import { cli, ensureBuilt } from '../../helpers/cli';
import { tempDir } from '../../helpers/runs';

function sink(isTTY: boolean, columns?: number): { out: { write(s: string): void; isTTY: boolean; columns?: number }; text: () => string } {
  const chunks: string[] = [];
  return { out: { write: (s) => chunks.push(s), isTTY, columns }, text: () => chunks.join('') };
}

/** A task that does `perSecond` steps a second, updated every `everyMs` on the fake clock. */
function drive(line: ProgressLine, clock: { now: number }, total: number, perSecond: number, everyMs: number, batch = 64): void {
  for (let t = 0; ; t += everyMs) {
    clock.now = t;
    const done = Math.min(total, Math.floor((t / 1000) * perSecond));
    const u: ProgressUpdate = { task: 'pretrain', done, total, unit: 'step', images: done * batch, fields: { loss: 1 / (1 + done), main: null } };
    line.update(u);
    if (done >= total) return;
  }
}

describe('progress line', () => {
  it('formats done/total, %, img/s, elapsed, ETA and the latest losses', () => {
    const text = formatProgress({
      task: 'pretrain', done: 1200, total: 6000, unit: 'step', imagesPerSecond: 1049.6, elapsedS: 69, etaS: 276,
      fields: { loss: 0.912, main: 0.5, align: null, mlm_acc: 1e-4 },
    });
    assert.equal(text, 'pretrain 1200/6000 step  20% | 1050 img/s | 1:09 elapsed | ETA 4:36 | loss 0.9120 main 0.5000 mlm_acc 1.00e-4');
    assert.equal(formatDuration(3725), '1:02:05');
    assert.equal(formatDuration(5.4), '0:05');
  });

  it('estimates the ETA from the rate of the updates', () => {
    const s = sink(true, 200);
    const clock = { now: 0 };
    const line = new ProgressLine({ out: s.out, clock: () => clock.now });
    drive(line, clock, 100, 10, 500); // 10 steps/s, 640 img/s
    const halfway = s.text().split('\r').find((l) => l.startsWith('pretrain 50/100'));
    assert.ok(halfway, s.text());
    assert.match(halfway, /\| 640 img\/s \| 0:05 elapsed \| ETA 0:05 \|/);
  });

  it('in a pipe writes a full line at most every 10 s, and the last one', () => {
    const s = sink(false);
    const clock = { now: 0 };
    const line = new ProgressLine({ out: s.out, clock: () => clock.now });
    drive(line, clock, 350, 10, 200); // 35 s of work, an update every 0.2 s
    const lines = s.text().trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.split(' ')[1]), ['100/350', '200/350', '300/350', '350/350']);
    assert.ok(!s.text().includes('\r'), 'no carriage returns in a pipe');
    assert.match(lines[3], /100%.*\| 640 img\/s \| 0:35 elapsed \| ETA 0:00/);
  });

  it('on a TTY redraws one line in place, cut to the terminal width, and ends it with a newline', () => {
    const s = sink(true, 40);
    const clock = { now: 0 };
    const line = new ProgressLine({ out: s.out, clock: () => clock.now });
    drive(line, clock, 30, 10, 250);
    const text = s.text();
    const draws = text.split('\r').slice(1);
    assert.ok(draws.length >= 10, `redrawn ${draws.length} times`);
    for (const d of draws) assert.ok(d.replace('\x1b[K', '').replace('\n', '').length <= 39, JSON.stringify(d));
    assert.equal(text.split('\n').length - 1, 1, 'one newline, at the end');
    assert.ok(text.endsWith('\x1b[K\n'));
  });

  it('prints other lines above the live line and draws it again', () => {
    const s = sink(true, 120);
    const clock = { now: 0 };
    const line = new ProgressLine({ out: s.out, clock: () => clock.now });
    line.update({ task: 'features train', done: 200, total: 8000, unit: 'img', images: 200 });
    line.line('features: from cache');
    assert.match(s.text(), /\r\x1b\[Kfeatures: from cache\n\rfeatures train 200\/8000 img/);
  });
});

describe('CLI output', () => {
  before(ensureBuilt);
  const args = (dir: string): string[] => ['pretrain', '--preset', 'cae-tiny', '--set', 'train.steps=20', '--set', 'sample.every=0', '--runs-dir', dir];

  it('in a pipe shows the progress line and the times; --quiet keeps the sparse metrics lines', () => {
    const dir = tempDir('progress-cli-');
    const plain = cli(args(dir));
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stderr, /^pretrain 20\/20 step 100% \| \d+ img\/s \| 0:\d\d elapsed \| ETA 0:00 \| loss /m);
    assert.match(plain.stderr, /^time: wall \d+:\d\d, CPU \d+:\d\d, \d+ cores? \(.+\), load \d/m);
    assert.doesNotMatch(plain.stderr, /^step \d+ epoch/m);
    const quiet = cli([...args(dir), '--quiet']);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.match(quiet.stderr, /^step 1 epoch \d+ loss /m);
    assert.doesNotMatch(quiet.stderr, /\| ETA /);
    assert.match(quiet.stdout.trim(), /cae-tiny$/, 'stdout is still the run folder');
  });
});
