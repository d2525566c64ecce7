// Records what a run panel receives while the real trainer runs (snapshot + deltas), for the webview tests:
//   npm run build && node --import tsx scripts/record-run-messages.ts test/unit/webview/fixtures/run-panel-messages.json
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunFeed } from '../src/host/run-feed';
import type { HostToRunPanel } from '../src/protocol/webview';

async function main(): Promise<void> {
  const out = process.argv[2] ?? 'run-panel-messages.json';
  const runs = mkdtempSync(join(tmpdir(), 'mimlab-rec-'));
  const child = fork('dist/trainer.js', ['pretrain', '--preset', 'cae-tiny', '--runs-dir', runs, '--name', 'recorded', '--set', 'train.steps=60', '--set', 'sample.every=20', '--set', 'train.checkpointEvery=20'], { stdio: 'ignore' });
  while (!readdirSync(runs).length) await new Promise((r) => setTimeout(r, 20));
  const runDir = join(runs, readdirSync(runs)[0]);
  const msgs: HostToRunPanel[] = [];
  let live = true;
  const feed = new RunFeed({
    runDir, post: (m) => msgs.push(JSON.parse(JSON.stringify(m))), isLiveRun: () => live, isLiveProbe: () => false,
    actions: (v) => ({ stop: v.displayState === 'running', resume: false, probe: v.checkpoints.length > 0 }), activePollMs: 100,
  });
  feed.snapshot();
  await new Promise<void>((r) => child.on('exit', () => r()));
  live = false;
  feed.poll();
  await new Promise((r) => setTimeout(r, 600));
  feed.dispose();
  // Paths are machine-specific: keep the run id only.
  const text = JSON.stringify(msgs).split(runDir).join('/runs/20261129-120000-recorded').split(runDir.split('/').pop() as string).join('20261129-120000-recorded');
  writeFileSync(out, text);
  console.log(`${msgs.length} messages → ${out}`);
}

void main();
