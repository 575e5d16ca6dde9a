// The dashboard page object: every selector is a data-testid hook, every wait
// is on something the page shows (or on window.__regime), never a bare sleep.

import { expect, type Locator, type Page } from '@playwright/test';

export type Mode = 'live' | 'quiet' | 'api' | 'connecting' | 'offline';

/** The page's own diagnostic object (updated at most once per animation frame). */
export interface RegimeDiag {
  framesTotal: number;
  /** Batch frames among them. */
  batches: number;
  signalsAccepted: number;
  firstSignalId: number | null;
  lastSignalId: number | null;
  duplicatesDropped: number;
  malformed: number;
  recovered: number;
  mode: string;
  wasmMemoryBytes: number;
}

export interface ModeChange {
  mode: string;
  /** performance.now() in the page: milliseconds since navigation start. */
  t: number;
  /** Date.now() in the page (same clock as the test process). */
  wall: number;
}

export type Settings = Partial<Record<'api' | 'ws' | 'protocol' | 'ns' | 'symbol' | 'tf' | 'poll' | 'token' | 'liveWorker' | 'liveQueue', string | number>>;

/**
 * Runs in the page before its own scripts: records every change of the
 * badge's data-mode with its time, so that specs measure mode changes to the
 * millisecond (even ones too short for polling to see), and counts elements
 * that an injection would create.
 */
function installProbe() {
  const w = window as unknown as { __e2e: { modes: ModeChange[]; injected: string[]; firstData: number | null } };
  if (w.__e2e) return;
  const probe = { modes: [] as ModeChange[], injected: [] as string[], firstData: null as number | null };
  w.__e2e = probe;
  let last: string | null = null;
  const record = () => {
    const badge = document.querySelector('[data-testid="badge"]');
    const mode = badge ? badge.getAttribute('data-mode') : null;
    if (mode && mode !== last) {
      last = mode;
      probe.modes.push({ mode, t: performance.now(), wall: Date.now() });
    }
  };
  const suspicious = (n: Node) => {
    if (!(n instanceof Element)) return;
    for (const el of [n, ...Array.from(n.querySelectorAll('*'))]) {
      const tag = el.tagName.toLowerCase();
      const handler = Array.from(el.attributes).some((a) => a.name.startsWith('on'));
      if (handler || (tag === 'script' && /__xss/.test(el.textContent ?? '')) || (tag === 'img' && el.getAttribute('src') === 'x')) {
        probe.injected.push(el.outerHTML.slice(0, 200));
      }
    }
  };
  const data = () => {
    if (probe.firstData !== null) return;
    const adx = document.querySelector('[data-testid="adx-value"]');
    if (adx && /\d/.test(adx.textContent ?? '') && document.querySelector('[data-testid="regime-label"]')) {
      probe.firstData = performance.now();
    }
  };
  new MutationObserver((records) => {
    record();
    data();
    for (const r of records) r.addedNodes.forEach(suspicious);
  }).observe(document, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ['data-mode'],
  });
}

export class Dashboard {
  readonly badge: Locator;
  readonly reconnect: Locator;
  readonly symbolSelect: Locator;
  readonly tfSelect: Locator;
  readonly regimeWidget: Locator;
  readonly regimeLabel: Locator;
  readonly adx: Locator;
  readonly atrPct: Locator;
  readonly plusDi: Locator;
  readonly minusDi: Locator;
  readonly lastPrice: Locator;
  readonly freshness: Locator;
  readonly overview: Locator;
  readonly overviewItems: Locator;
  readonly historyChart: Locator;
  readonly signalsList: Locator;
  readonly signalRows: Locator;
  readonly toasts: Locator;
  readonly toast: Locator;
  readonly healthPanel: Locator;
  readonly healthMode: Locator;
  readonly healthTransport: Locator;
  readonly healthDiagnosis: Locator;
  readonly healthMalformed: Locator;
  readonly healthRecovered: Locator;
  readonly skeleton: Locator;
  readonly emptyState: Locator;
  readonly errorState: Locator;
  readonly panicMessage: Locator;

  constructor(readonly page: Page, readonly baseUrl: string) {
    const id = (t: string) => page.getByTestId(t);
    this.badge = id('badge');
    this.reconnect = id('reconnect');
    this.symbolSelect = id('symbol-select');
    this.tfSelect = id('tf-select');
    this.regimeWidget = id('regime-widget');
    this.regimeLabel = id('regime-label');
    this.adx = id('adx-value');
    this.atrPct = id('atr-pct');
    this.plusDi = id('plus-di');
    this.minusDi = id('minus-di');
    this.lastPrice = id('last-price');
    this.freshness = id('freshness');
    this.overview = id('overview');
    this.overviewItems = id('overview-item');
    this.historyChart = id('history-chart');
    this.signalsList = id('signals-list');
    this.signalRows = id('signal-row');
    this.toasts = id('toasts');
    this.toast = id('toast');
    this.healthPanel = id('health-panel');
    this.healthMode = id('health-mode');
    this.healthTransport = id('health-transport');
    this.healthDiagnosis = id('health-diagnosis');
    this.healthMalformed = id('health-malformed');
    this.healthRecovered = id('health-recovered');
    this.skeleton = id('skeleton');
    this.emptyState = id('empty-state');
    this.errorState = id('error-state');
    this.panicMessage = id('panic-message');
  }

  /** Opens the dashboard with these query-string settings (PROTOCOL.md §5). */
  static async open(page: Page, baseUrl: string, settings: Settings = {}): Promise<Dashboard> {
    const d = new Dashboard(page, baseUrl);
    await page.addInitScript(installProbe);
    await d.goto(settings);
    return d;
  }

  url(settings: Settings = {}): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(settings)) if (v !== undefined) qs.set(k, String(v));
    const q = qs.toString();
    return `${this.baseUrl}/${q ? '?' + q : ''}`;
  }

  async goto(settings: Settings = {}) {
    await this.page.goto(this.url(settings), { waitUntil: 'commit' });
  }

  async mode(): Promise<string | null> {
    return this.badge.getAttribute('data-mode');
  }

  /** Every mode change seen since the page loaded. */
  async modeLog(): Promise<ModeChange[]> {
    return this.page.evaluate(() => (window as any).__e2e?.modes ?? []);
  }

  /**
   * Waits until the badge shows `mode` at or after `sinceWall` (Date.now()
   * of the test process; same clock as the page), and answers that change.
   */
  async waitForMode(mode: Mode, timeoutMs: number, sinceWall = 0): Promise<ModeChange> {
    const handle = await this.page
      .waitForFunction(
        ([m, since]) => {
          const log: ModeChange[] = (window as any).__e2e?.modes ?? [];
          return log.find((c) => c.mode === m && c.wall >= since) ?? null;
        },
        [mode, sinceWall] as const,
        { timeout: timeoutMs, polling: 50 },
      )
      .catch(async (e: Error) => {
        // What the page went through instead: CI keeps only the message.
        const seen = await this.page
          .evaluate(() => ({
            modes: ((window as any).__e2e?.modes ?? []).map((c: ModeChange) => `${c.mode}@${Math.round(c.t)}`).join(' '),
            badge: document.querySelector('[data-testid="badge"]')?.textContent ?? '',
            problems: Array.from(document.querySelectorAll('[data-testid="health-diagnosis"]')).map((p) => p.textContent).join(' | '),
          }))
          .catch(() => null);
        throw new Error(`${e.message}\nwaiting for ${mode}; modes seen ${JSON.stringify(seen)}`);
      });
    const change = (await handle.jsonValue()) as ModeChange;
    await handle.dispose();
    return change;
  }

  /** window.__regime, copied (with wasmMemoryBytes() called). */
  async diag(): Promise<RegimeDiag> {
    return this.page.evaluate(() => {
      const r = (window as any).__regime;
      if (!r) throw new Error('window.__regime is missing');
      return {
        framesTotal: r.framesTotal,
        batches: r.batches ?? 0,
        signalsAccepted: r.signalsAccepted,
        firstSignalId: r.firstSignalId ?? null,
        lastSignalId: r.lastSignalId ?? null,
        duplicatesDropped: r.duplicatesDropped,
        malformed: r.malformed,
        recovered: r.recovered,
        mode: r.mode,
        wasmMemoryBytes: typeof r.wasmMemoryBytes === 'function' ? r.wasmMemoryBytes() : NaN,
      };
    });
  }

  /** Waits until window.__regime.framesTotal reaches `n` (polled in the page). */
  async waitForFrames(n: number, timeoutMs: number) {
    await this.page.waitForFunction((k) => ((window as any).__regime?.framesTotal ?? 0) >= k, n, { timeout: timeoutMs, polling: 100 });
  }

  /** Waits until window.__regime.lastSignalId reaches `id` (polled in the page). */
  async waitForLastSignalId(id: number, timeoutMs: number) {
    await this.page.waitForFunction((k) => ((window as any).__regime?.lastSignalId ?? 0) >= k, id, { timeout: timeoutMs, polling: 100 });
  }

  /** The data-id of every signal row, in DOM order. */
  async signalIds(): Promise<number[]> {
    return this.page.evaluate(() =>
      Array.from(document.querySelectorAll('[data-testid="signal-row"]')).map((e) => Number(e.getAttribute('data-id'))),
    );
  }

  /**
   * The table holds the rows that fill the window down to where the list is
   * scrolled: this scrolls the list to its end until no more rows come (at
   * most 100 are drawn), then answers every row's data-id, in DOM order.
   */
  async allSignalIds(): Promise<number[]> {
    let count = -1;
    for (let i = 0; i < 10; i++) {
      const now = await this.page.evaluate(() => {
        const box = document.querySelector('.signals-scroll')!;
        box.scrollTop = box.scrollHeight;
        return document.querySelectorAll('[data-testid="signal-row"]').length;
      });
      if (now === count) break;
      count = now;
      await this.page.waitForTimeout(100);
    }
    return this.signalIds();
  }

  /**
   * Waits until the element with this data-testid (the first one, or the one
   * matching `within`) satisfies the check, looking at every animation frame;
   * answers Date.now() in the page at that frame (the test process's clock).
   */
  async shownAt(
    testId: string,
    check: { text?: RegExp; attr?: [string, string]; present?: true; css?: string },
    timeoutMs: number,
  ): Promise<number> {
    const h = await this.page.waitForFunction(
      ([tid, text, flags, attr, css]) => {
        const sel = css ?? `[data-testid="${tid}"]`;
        const el = document.querySelector(sel);
        if (!el) return null;
        if (text !== null && !new RegExp(text, flags).test(el.textContent ?? '')) return null;
        if (attr !== null && el.getAttribute(attr[0]) !== attr[1]) return null;
        return Date.now();
      },
      [testId, check.text?.source ?? null, check.text?.flags ?? '', check.attr ?? null, check.css ?? null] as const,
      { timeout: timeoutMs, polling: 'raf' },
    );
    const t = (await h.jsonValue()) as number;
    await h.dispose();
    return t;
  }

  /** Date.now() in the page when the row of signal `id` first exists (checked every frame). */
  signalShownAt(id: number, timeoutMs: number): Promise<number> {
    return this.shownAt('signal-row', { css: `[data-testid="signal-row"][data-id="${id}"]` }, timeoutMs);
  }

  signalRow(id: number): Locator {
    return this.page.locator(`[data-testid="signal-row"][data-id="${id}"]`);
  }

  /** Waits until the regime widget shows data (not a skeleton, not empty). */
  async waitForData(timeoutMs = 10_000) {
    await expect(this.regimeLabel).toBeVisible({ timeout: timeoutMs });
    await expect(this.adx).toHaveText(/^\d+(\.\d)?$/, { timeout: timeoutMs });
  }

  /**
   * Waits until the regime widget shows a number, and answers when that first
   * happened (seen by the probe's observer): milliseconds since navigation start.
   */
  async timeToData(timeoutMs = 10_000): Promise<number> {
    const h = await this.page.waitForFunction(() => (window as any).__e2e?.firstData ?? null, undefined, {
      timeout: timeoutMs,
      polling: 50,
    });
    const t = (await h.jsonValue()) as number;
    await h.dispose();
    return t;
  }

  /** The widget's numbers, as text. */
  async widgetText() {
    return {
      regime: await this.regimeLabel.getAttribute('data-regime'),
      label: (await this.regimeLabel.innerText()).trim(),
      adx: (await this.adx.innerText()).trim(),
      atrPct: (await this.atrPct.innerText()).trim(),
    };
  }

  /** Every health-diagnosis sentence. */
  async diagnoses(): Promise<string[]> {
    return (await this.healthDiagnosis.allInnerTexts()).map((s) => s.trim());
  }

  /** Fails when the page shows "NaN", "undefined", "null" or "[object Object]" anywhere. */
  async expectNoBadText() {
    const text = await this.page.evaluate(() => document.body.innerText);
    for (const bad of [/\bNaN\b/, /\bundefined\b/, /\[object Object\]/, /\bInfinity\b/]) {
      expect(text, `page text must not contain ${bad}`).not.toMatch(bad);
    }
  }

  /** Elements an injection created (recorded by the probe since load). */
  async injectedElements(): Promise<string[]> {
    return this.page.evaluate(() => (window as any).__e2e?.injected ?? []);
  }

  /** Simulates the tab becoming hidden or visible (visibilityState + event). */
  async setVisibility(state: 'hidden' | 'visible') {
    await this.page.evaluate((s) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
      window.dispatchEvent(new Event(s === 'hidden' ? 'blur' : 'focus'));
    }, state);
  }

  /** JS heap after a full garbage collection (needs --js-flags=--expose-gc). */
  async heapAfterGc(): Promise<{ jsHeap: number; wasm: number }> {
    return this.page.evaluate(async () => {
      const g = (window as any).gc as undefined | (() => void);
      if (!g) throw new Error('gc() is not exposed: launch Chromium with --js-flags=--expose-gc');
      for (let i = 0; i < 3; i++) {
        g();
        await new Promise((r) => setTimeout(r, 50));
      }
      const r = (window as any).__regime;
      return { jsHeap: (performance as any).memory.usedJSHeapSize as number, wasm: r.wasmMemoryBytes() as number };
    });
  }
}
