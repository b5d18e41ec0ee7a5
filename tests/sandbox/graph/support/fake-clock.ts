import type { GraphClock } from '../../../../sandbox/src/graph/index.js';

/**
 * A manual clock: time moves only when a test calls `advance`, which fires due timers in time
 * order (timers scheduled by fired timers included).
 */
export class FakeClock implements GraphClock {
  private current: number;
  private readonly timers: { at: number; seq: number; callback: () => void }[] = [];
  private seq = 0;

  constructor(start = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(delayMs: number, callback: () => void): () => void {
    const timer = { at: this.current + Math.max(0, delayMs), seq: (this.seq += 1), callback };
    this.timers.push(timer);
    return () => {
      const i = this.timers.indexOf(timer);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  /** Moves time forward, firing every timer that falls due, then lets async work run. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (next === undefined || next.at > target) break;
      this.timers.shift();
      this.current = next.at;
      next.callback();
      await settle();
    }
    this.current = target;
    await settle();
  }

  pendingTimers(): number {
    return this.timers.length;
  }
}

/** Lets pending promise callbacks and immediates run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}
