// Holds back our notifications while one of our quick picks or input boxes is open: a toast that appears then
// can take the focus, and a quick pick that loses focus closes, so the user would have to start the command again.
// Held notifications are shown, in order, as soon as the last open quick input closes.

export class QuickInputGate {
  private open = 0;
  private held: (() => void)[] = [];

  /** Shows a quick input (showQuickPick, showInputBox, …) and counts it as open until it settles. */
  async show<T>(input: () => Thenable<T>): Promise<T> {
    this.open++;
    try {
      return await input();
    } finally {
      this.open--;
      if (this.open === 0) this.flush();
    }
  }

  /** Runs `notify` now, or once no quick input of ours is open. */
  notify(notify: () => void): void {
    if (this.open > 0) this.held.push(notify);
    else notify();
  }

  get isOpen(): boolean {
    return this.open > 0;
  }

  private flush(): void {
    const held = this.held;
    this.held = [];
    for (const n of held) n();
  }
}

/** The extension's one gate: every quick input of ours goes through it, and so do notifications that can wait. */
export const quickInputs = new QuickInputGate();
