import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { childrenCpuS, startTiming } from '../../../src/util/timing';

test('children CPU: cutime + cstime of /proc/self/stat, with a command name holding spaces and parentheses', () => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
  const stat = '4242 (node (a) b) S 1 4242 4242 0 -1 4194304 100 200 0 0 1500 300 250 50 20 0 11 0 123 456';
  assert.equal(childrenCpuS(stat), 3); // (250 + 50) ticks at 100 Hz
  assert.equal(childrenCpuS(null), 0);
});

test('a command\'s CPU time counts the child processes it waited for', () => {
  const timing = startTiming();
  const busy = spawnSync(process.execPath, ['-e', 'while (process.cpuUsage().user < 700_000) {}']);
  assert.equal(busy.status, 0);
  const t = timing();
  assert.ok(t.cpuS >= 0.5, `CPU ${t.cpuS} s after a child that spent 0.7 s of CPU`);
});
