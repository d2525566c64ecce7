// A run's state as people see it: a status that says running whose trainer is gone was interrupted.
import type { RunStatus } from '../protocol/run-files';
import type { DisplayState } from '../protocol/webview';
import { isPidAlive } from '../util/pid';

/** A run whose status says running but whose process is gone was interrupted (crash, killed editor, reboot). */
export function displayStateOf(status: RunStatus | null, hasLiveJob: boolean, alive: (pid: number) => boolean = isPidAlive): DisplayState {
  if (!status) return hasLiveJob ? 'running' : 'unknown';
  if (status.state !== 'running') return status.state;
  return hasLiveJob || alive(status.pid) ? 'running' : 'interrupted';
}
