// Playwright helpers for driving the VS Code workbench served by code-server: palette, quick picks,
// the Runs tree, context menus and webview frames. Every wait is on a condition, never a fixed sleep.
import type { Frame, Locator, Page } from 'playwright-core';

export const EXTENSION_ID = 'mimlab.mim-lab';

export class Workbench {
  constructor(readonly page: Page) {}

  async waitReady(timeoutMs = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
    await this.activityItem().waitFor({ timeout: timeoutMs });
  }

  activityItem(): Locator {
    return this.page.locator('.activitybar .action-item a[aria-label^="MIM Lab"], .activitybar .action-item[aria-label^="MIM Lab"]').first();
  }

  /** Opens the MIM Lab container (idempotent: does not toggle it closed). */
  async openRunsView(): Promise<void> {
    if (!(await this.runsPane().isVisible())) await this.activityItem().click();
    await this.runsPane().waitFor();
  }

  runsPane(): Locator {
    return this.page.locator('.pane:has(.pane-header[aria-label^="Runs"]) .pane-body, #workbench\\.view\\.extension\\.mimLab .pane-body').first();
  }

  /** A tree row whose accessible label starts with the run id. */
  runRow(runId: string): Locator {
    return this.page.locator(`.monaco-list-row[aria-label^="${runId}"]`).first();
  }

  async rowText(runId: string): Promise<string> {
    return (await this.runRow(runId).getAttribute('aria-label')) ?? '';
  }

  /** Waits until the row's label (which carries the state and step) matches. */
  async waitRow(runId: string, re: RegExp, timeoutMs = 60_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < until) {
      if (await this.runRow(runId).count()) {
        last = await this.rowText(runId);
        if (re.test(last)) return last;
      }
      await this.page.waitForTimeout(200);
    }
    throw new Error(`tree row ${runId} never matched ${re} (last: "${last}")`);
  }

  /** Expands a tree row by its twistie (a click on the row itself would open the run panel). */
  async expand(row: Locator): Promise<void> {
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
    await this.page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await row.elementHandle());
  }

  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await this.page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor();
    await this.page.keyboard.press('Enter');
  }

  /** Picks an item of an open quick pick by typing a filter. */
  async quickPick(filter: string, rowText: string = filter, timeoutMs = 30_000): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: timeoutMs });
    await input.fill(filter);
    await this.page.locator('.quick-input-widget .monaco-list-row', { hasText: rowText }).first().waitFor();
    await this.page.keyboard.press('Enter');
  }

  /** Types into an open input box and accepts. */
  async inputBox(text: string, titleContains?: string): Promise<void> {
    if (titleContains) await this.page.locator('.quick-input-widget .quick-input-title', { hasText: titleContains }).waitFor();
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** Opens a row's context menu and runs an entry (hover + Enter: menus ignore a click right after opening). */
  async contextMenu(row: Locator, item: string, attempts = 3): Promise<void> {
    const entry = this.page.locator('.context-view .monaco-menu .action-item', { hasText: item }).first();
    for (let i = 1; ; i++) {
      await row.click({ button: 'right' });
      try {
        await entry.waitFor({ timeout: 3_000 });
        break;
      } catch (err) {
        await this.page.screenshot({ path: `.test-output/e2e/context-menu-miss-${i}.png` });
        await this.page.keyboard.press('Escape');
        if (i >= attempts) throw err;
      }
    }
    // Walk the menu with the keyboard to the entry, then Enter (a mouse click right after opening is ignored).
    const focused = this.page.locator('.context-view .monaco-menu .action-item.focused');
    const focusedText = async (): Promise<string> => ((await focused.count()) ? (await focused.first().textContent()) ?? '' : '');
    for (let i = 0; i < 20 && !(await focusedText()).includes(item); i++) await this.page.keyboard.press('ArrowDown');
    if (!(await focusedText()).includes(item)) throw new Error(`could not focus "${item}" in the context menu`);
    await this.page.keyboard.press('Enter');
    await entry.waitFor({ state: 'detached', timeout: 5_000 });
  }

  /** The inner frame of a MIM Lab webview whose <body> has data-panel=`panel` (and matches `where`). */
  async panelFrame(panel: 'run' | 'compare' | 'experiments', where: (b: Record<string, string>) => boolean = () => true, timeoutMs = 30_000): Promise<Frame> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      for (const f of this.page.frames()) {
        if (f.isDetached()) continue;
        const ds = await f.evaluate(() => (document.body ? { ...document.body.dataset } : null)).catch(() => null);
        if (ds && ds.panel === panel && ds.ready === '1' && where(ds as Record<string, string>)) return f;
      }
      await this.page.waitForTimeout(200);
    }
    throw new Error(`no ready ${panel} panel within ${timeoutMs} ms`);
  }

  /** The first frame whose document satisfies `test` (for webviews that are not MIM Lab panels, e.g. the report). */
  async frameWhere(test: (d: Document) => boolean, what: string, timeoutMs = 30_000): Promise<Frame> {
    const until = Date.now() + timeoutMs;
    const src = test.toString();
    while (Date.now() < until) {
      for (const f of this.page.frames()) {
        if (f.isDetached()) continue;
        const ok = await f.evaluate((code) => (new Function(`return (${code})(document)`) as () => boolean)(), src).catch(() => false);
        if (ok) return f;
      }
      await this.page.waitForTimeout(200);
    }
    throw new Error(`no frame with ${what} within ${timeoutMs} ms`);
  }

  async notification(re: RegExp, timeoutMs = 30_000): Promise<string> {
    const toast = this.page.locator('.notifications-toasts .notification-list-item-message', { hasText: re }).first();
    await toast.waitFor({ timeout: timeoutMs });
    return (await toast.textContent()) ?? '';
  }

  async dismissNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
  }

  async closeAllEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors');
  }
}

/** Polls `fn(arg)` in a frame until it returns a truthy value. */
export async function waitInFrame<T>(frame: Frame, fn: (arg: string) => T, what: string, timeoutMs = 30_000, arg = ''): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    last = await frame.evaluate(fn, arg).catch((e: Error) => e.message);
    if (last) return last as T;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}
