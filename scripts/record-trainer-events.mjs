// Records the IPC events of a real tiny training run, for the fake trainer the RunManager tests use:
//   npm run build && node scripts/record-trainer-events.mjs > test/unit/host/fixtures/pretrain-events.jsonl
// Each line is {delayMs, event}; the run folder is replaced by $RUN_DIR.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = mkdtempSync(join(tmpdir(), 'mimlab-rec-'));
const child = fork('dist/trainer.js', ['pretrain', '--preset', 'cae-tiny', '--runs-dir', runs, '--set', 'train.steps=6', '--set', 'train.checkpointEvery=3', '--set', 'sample.every=3'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
child.send({ type: 'hello', version: 1 });
let last = Date.now();
let runDir = null;
const lines = [];
child.on('message', (event) => {
  const now = Date.now();
  if (event.type === 'hello') runDir = event.runDir;
  lines.push({ delayMs: Math.min(200, now - last), event });
  last = now;
});
child.on('exit', () => {
  let text = lines.map((l) => JSON.stringify(l)).join('\n');
  if (runDir) text = text.split(runDir).join('$RUN_DIR');
  process.stdout.write(`${text}\n`);
  rmSync(runs, { recursive: true, force: true });
});
