/**
 * Our own pacing: GramJS's `waitTime` sleeps milliseconds where it means seconds, so history reads are
 * spaced by us. A Pacer spaces the starts of calls; a Semaphore caps calls in flight.
 */

/** Resolve after `ms`, or reject when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error("aborted"));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Spaces the starts of calls by at least `intervalMs` (plus up to `jitterMs` at random). */
export class Pacer {
  // The earliest time the next call may start.
  private next = 0;
  constructor(
    readonly intervalMs: number,
    readonly jitterMs = 0,
    private readonly now: () => number = Date.now,
  ) {}

  /** Wait for this call's turn. */
  async take(signal?: AbortSignal): Promise<void> {
    const t = this.now();
    const at = Math.max(t, this.next);
    this.next = at + this.intervalMs + (this.jitterMs > 0 ? Math.random() * this.jitterMs : 0);
    await sleep(at - t, signal);
  }
}

/** At most `permits` holders at once; waiters are served first come, first served. */
export class Semaphore {
  // Free permits.
  private free: number;
  // Waiting acquirers, oldest first.
  private readonly waiters: Array<() => void> = [];
  constructor(readonly permits: number) {
    this.free = Math.max(1, permits);
  }

  /** Take a permit; the returned function gives it back (idempotent). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw signal.reason;
    if (this.free > 0) {
      this.free--;
    } else {
      await new Promise<void>((resolve, reject) => {
        const w = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal?.reason ?? new Error("aborted"));
        };
        this.waiters.push(w);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const w = this.waiters.shift();
      if (w) w();
      else this.free++;
    };
  }

  /** Run `fn` holding a permit. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
