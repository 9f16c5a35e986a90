import { Observable } from "rxjs";

/** Bytes held from a `ByteBudget`; give them back with `release()` (idempotent). */
export interface BudgetPermit {
  readonly bytes: number;
  readonly release: () => void;
}

interface Request {
  readonly bytes: number;
  readonly grant: () => void;
}

/**
 * A byte budget: bounds the bytes that are downloaded but not yet sent, per account.
 *
 * <span class="informal">A counting semaphore over bytes, as a cold Observable of permits.</span>
 *
 * ```
 * capacity 10:   take(6) ------P           (granted at once)
 *                take(6) ------  ...Q      (waits until P.release())
 *                take(25)              ...R  (more than the capacity: waits until the budget is empty,
 *                                             then goes alone)
 * ```
 *
 * Requests are granted in FIFO order — a later small request never overtakes an earlier big one, which
 * keeps downloads in source order and starves nothing. A request larger than the whole budget does not
 * deadlock: it waits until nothing is held, then is granted alone. Unsubscribing from a waiting `take()`
 * withdraws the request; a granted permit is held until released.
 *
 * ## Example
 * ```ts
 * const budget = new ByteBudget(64 * 2 ** 20);
 * budget.take(batchBytes(batch)).pipe(
 *   concatMap((permit) => download(batch).pipe(map((loaded) => ({ loaded, permit })))),
 * ); // ... and permit.release() after the send
 * ```
 */
export class ByteBudget {
  /** Requests waiting for bytes, oldest first. */
  #queue: Request[] = [];
  #inUse = 0;
  #peak = 0;
  #held = 0;

  /** @param capacity Bytes that may be held at once (> 0). */
  constructor(readonly capacity: number) {
    if (!(capacity > 0)) throw new RangeError("ByteBudget: capacity must be > 0");
  }

  /** Bytes held now. */
  get inUse(): number {
    return this.#inUse;
  }
  /** Most bytes ever held at once. */
  get peak(): number {
    return this.#peak;
  }
  /** Permits granted and not yet released. */
  get held(): number {
    return this.#held;
  }
  /** Requests waiting. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Ask for `bytes`.
   * @param bytes Bytes to hold (0 is granted at once unless earlier requests wait).
   * @returns A cold Observable that emits one permit when the bytes are granted, then completes.
   */
  take(bytes: number): Observable<BudgetPermit> {
    return new Observable<BudgetPermit>((subscriber) => {
      const n = Math.max(0, bytes);
      const request: Request = {
        bytes: n,
        grant: () => {
          subscriber.next(this.#grant(n));
          subscriber.complete();
        },
      };
      this.#queue.push(request);
      this.#grantWaiting();
      return () => {
        const i = this.#queue.indexOf(request);
        if (i >= 0) {
          this.#queue.splice(i, 1);
          // The head may have been the one holding the others back.
          if (i === 0) this.#grantWaiting();
        }
      };
    });
  }

  /**
   * Take `bytes` now if nobody waits and they fit, without an Observable (the fast path of `take`).
   * @returns The permit, or undefined when the request would have to wait.
   */
  tryTake(bytes: number): BudgetPermit | undefined {
    const n = Math.max(0, bytes);
    if (this.#queue.length > 0 || !this.#fits(n)) return undefined;
    return this.#grant(n);
  }

  #grant(n: number): BudgetPermit {
    this.#inUse += n;
    this.#held++;
    if (this.#inUse > this.#peak) this.#peak = this.#inUse;
    let released = false;
    return {
      bytes: n,
      release: () => {
        if (released) return;
        released = true;
        this.#inUse -= n;
        this.#held--;
        this.#grantWaiting();
      },
    };
  }

  #fits(bytes: number): boolean {
    // Too big for the whole budget: only into an empty one.
    return bytes > this.capacity ? this.#inUse === 0 : this.#inUse + bytes <= this.capacity;
  }

  #granting = false;
  #grantWaiting(): void {
    // A grant may synchronously release (and so re-enter); the loop picks that up.
    if (this.#granting) return;
    this.#granting = true;
    try {
      while (this.#queue.length > 0 && this.#fits(this.#queue[0]!.bytes)) {
        this.#queue.shift()!.grant();
      }
    } finally {
      this.#granting = false;
    }
  }
}
