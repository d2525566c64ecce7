// A minimal typed event emitter (vscode.EventEmitter is not available to the host's plain-Node modules).

export type Listener<T> = (value: T) => void;

export interface Subscription {
  dispose(): void;
}

export class Emitter<T> {
  private listeners = new Set<Listener<T>>();

  /** Subscribes; the returned object unsubscribes, so it can go straight into a disposables list. */
  readonly event = (listener: Listener<T>): Subscription => {
    this.listeners.add(listener);
    return { dispose: (): void => void this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch (err) {
        console.error('[mim-lab] listener failed', err);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
