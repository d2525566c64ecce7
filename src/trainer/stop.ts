// A cooperative stop request: SIGINT/SIGTERM or the host's `stop` command set it; the training loop finishes
// the current step, writes a checkpoint, marks the run stopped and returns.
import { isHostCommand } from '../protocol/events';

export class StopSignal {
  reason: string | null = null;
  private readonly handlers: ((reason: string) => void)[] = [];

  get requested(): boolean {
    return this.reason !== null;
  }

  request(reason: string): void {
    if (this.reason !== null) return;
    this.reason = reason;
    for (const h of this.handlers) h(reason);
  }

  /** Calls `handler` once when a stop is requested (at once if it already was): for relaying it to a child process. */
  onRequest(handler: (reason: string) => void): void {
    if (this.reason !== null) handler(this.reason);
    else this.handlers.push(handler);
  }

  /** Listens for SIGINT/SIGTERM and IPC `stop`; a second signal exits immediately. Returns an unsubscribe. */
  listen(): () => void {
    const onSignal = (sig: NodeJS.Signals): void => {
      if (this.requested) process.exit(130);
      this.request(sig);
    };
    const onMessage = (m: unknown): void => {
      if (isHostCommand(m) && m.type === 'stop') this.request('stop requested');
    };
    // An editor that dies without asking still leaves a checkpointed, `stopped` run behind.
    const onDisconnect = (): void => this.request('parent process disconnected');
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('message', onMessage);
    process.on('disconnect', onDisconnect);
    return () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
    };
  }
}
