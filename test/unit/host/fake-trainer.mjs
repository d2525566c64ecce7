// A stand-in for dist/trainer.js: replays an event log recorded from the real trainer (scripts/record-trainer-events.mjs) over IPC and writes the run folder like the
// real trainer (status.json, metrics.jsonl, checkpoints/). Behaviour is chosen by FAKE_MODE:
//   normal | ignore-stop (ignores the stop message, honours SIGTERM) | stubborn (ignores stop and SIGTERM)
//   crash (writes to stderr and exits 3 halfway) | bad-version (says hello with protocol version 99) | slow (long delays)
import { mkdirSync, readFileSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';

const mode = process.env.FAKE_MODE ?? 'normal';
const log = process.env.FAKE_EVENTS ?? new URL('./fixtures/pretrain-events.jsonl', import.meta.url).pathname;
const [cmd, ...rest] = process.argv.slice(2);

let runDir;
let startStep = 0;
if (cmd === 'pretrain') {
  const runsDir = rest[rest.indexOf('--runs-dir') + 1];
  const name = rest.includes('--name') ? rest[rest.indexOf('--name') + 1] : `fake-${process.pid}`;
  runDir = join(runsDir, name);
  mkdirSync(join(runDir, 'checkpoints'), { recursive: true });
  writeFileSync(join(runDir, 'config.json'), JSON.stringify({ algorithm: 'cae', preset: 'cae-tiny', args: rest }));
} else if (cmd === 'resume') {
  runDir = rest[0];
  startStep = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')).checkpointStep;
} else {
  process.stderr.write(`fake trainer: unknown command ${cmd}\n`);
  process.exit(2);
}

const events = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l.replaceAll('$RUN_DIR', runDir)));
let status = null;
let hostHello = null;
let lastStep = startStep;

function send(ev) {
  return new Promise((resolve) => (process.send && process.connected ? process.send(ev, () => resolve()) : resolve()));
}

function writeStatus(s) {
  status = { ...s, pid: process.pid };
  writeFileSync(join(runDir, 'status.tmp'), JSON.stringify(status));
  renameSync(join(runDir, 'status.tmp'), join(runDir, 'status.json'));
}

async function stopNow(how) {
  // Like the real trainer: a stop writes a checkpoint at the current step, then marks the run stopped.
  if (status) writeStatus({ ...status, step: lastStep, checkpointStep: lastStep, state: 'stopped' });
  await send({ type: 'log', level: 'info', message: `stopping (${how})` });
  await send({ type: 'done', job: 'pretrain', state: 'stopped', runDir });
  process.exit(0);
}

process.on('message', (m) => {
  if (m.type === 'hello') hostHello = m;
  if (m.type === 'stop' && mode !== 'ignore-stop' && mode !== 'stubborn') void stopNow('asked');
});
process.on('SIGTERM', () => {
  if (mode !== 'stubborn') void stopNow('SIGTERM');
});
process.on('disconnect', () => void stopNow('disconnect'));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (const [i, { delayMs, event }] of events.entries()) {
  await sleep(mode === 'slow' || mode === 'stubborn' || mode === 'ignore-stop' ? delayMs * 20 + 50 : delayMs);
  if (event.type === 'hello') {
    await send({ ...event, pid: process.pid, version: mode === 'bad-version' ? 99 : event.version, hostVersion: hostHello?.version ?? null });
    continue;
  }
  if (mode === 'crash' && i > events.length / 2) {
    process.stderr.write('RangeError: fake out of memory\n    at train (trainer.js:1:1)\n');
    process.exit(3);
  }
  if (event.type === 'metrics') {
    if (event.row.step <= startStep) continue;
    appendFileSync(join(runDir, 'metrics.jsonl'), JSON.stringify(event.row) + '\n');
    lastStep = event.row.step;
  }
  if (event.type === 'status') {
    if (event.status.step < startStep) continue;
    writeStatus(event.status);
  }
  if (event.type === 'checkpoint') {
    if (event.step <= startStep) continue;
    mkdirSync(join(runDir, 'checkpoints', `step-${String(event.step).padStart(6, '0')}`), { recursive: true });
  }
  if (event.type === 'sample' && event.sample.step <= startStep) continue;
  await send(event);
}
process.exit(0);
