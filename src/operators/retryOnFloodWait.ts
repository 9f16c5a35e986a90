import {
  asyncScheduler, identity, map, retry, takeUntil, throwError, throwIfEmpty, timer,
  type MonoTypeOperatorFunction, type Observable, type SchedulerLike,
} from "rxjs";
import { FloodWait, isFloodWait, TgRelayError } from "../model/errors.js";

/** A flood wait that `interrupt$` cut short: nothing was re-sent; the caller decides what that means. */
export class FloodWaitInterrupted extends TgRelayError {
  constructor(readonly wait: FloodWait) {
    super(`stopped during a flood wait of ${wait.seconds}s on ${wait.method}`, { cause: wait });
  }
}

export interface RetryOnFloodWaitOptions {
  /** A flood wait longer than this is not sat out: the error goes on. */
  readonly maxWaitSeconds: number;
  /** Most re-subscriptions per subscription of the result; the next flood wait errors. */
  readonly maxRetries: number;
  /** Where the wait runs. Default `asyncScheduler` (virtual time inside `TestScheduler.run`). */
  readonly scheduler?: SchedulerLike;
  /** Told when a wait starts: the error and the attempt number (1 for the first retry). */
  readonly onWait?: (wait: FloodWait, attempt: number) => void;
  /**
   * A value here during a wait (e.g. a graceful stop) ends the wait at once: the result errors with
   * FloodWaitInterrupted instead of re-subscribing. A stop should not sit out an hour-long wait.
   */
  readonly interrupt$?: Observable<unknown>;
}

/**
 * Sits out Telegram's flood waits: on a `FloodWait` error, waits its `seconds` and re-subscribes to the
 * source.
 *
 * <span class="informal">`retry` whose delay is the wait Telegram asked for, and that never completes
 * silently.</span>
 *
 * ```
 * source:  --#            # = FloodWait(3), then on re-subscription: --(x|)
 *          > retryOnFloodWait({ maxWaitSeconds: 60, maxRetries: 5 })
 * result:  -- 3s --(x|)
 * subs:    ^-!
 *          -- 3s ^-!
 * ```
 *
 * The source must be cold (e.g. `defer(() => send(...))`): re-subscribing is what sends again, so a
 * FloodWait inside an album re-sends the whole album. Other errors pass through at once. A wait longer
 * than `maxWaitSeconds`, or a FloodWait after `maxRetries` retries, errors with that FloodWait: the
 * result never completes without the source completing. With `interrupt$`, a value during a wait errors
 * the result with FloodWaitInterrupted at once:
 *
 * ```
 * source:     --#          # = FloodWait(3)
 * interrupt$: -----x
 *             > retryOnFloodWait({ maxWaitSeconds: 60, maxRetries: 5, interrupt$ })
 * result:     -----#       # = FloodWaitInterrupted
 * ```
 *
 * ## Example
 * ```ts
 * defer(() => sink.deliver(loaded, ctx)).pipe(
 *   retryOnFloodWait({ maxWaitSeconds: 3600, maxRetries: 5, onWait: (e) => log.warn(`waiting ${e.seconds}s`) }),
 * );
 * ```
 *
 * @param options `maxWaitSeconds`, `maxRetries`, optional `scheduler` and `onWait`.
 * @returns A function that returns an Observable that mirrors the source, re-subscribed after each flood wait.
 */
export function retryOnFloodWait<T>(options: RetryOnFloodWaitOptions): MonoTypeOperatorFunction<T> {
  const { maxWaitSeconds, maxRetries, onWait } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  if (!(maxRetries >= 1)) return identity;
  return retry<T>({
    count: maxRetries,
    delay: (err: unknown, attempt: number): Observable<unknown> => {
      if (!isFloodWait(err) || err.seconds > maxWaitSeconds) return throwError(() => err);
      onWait?.(err, attempt);
      // timer emits, so retry re-subscribes; it never completes the result on its own.
      const wait$ = timer(Math.max(0, err.seconds) * 1000, scheduler).pipe(map(() => attempt));
      if (!options.interrupt$) return wait$;
      return wait$.pipe(takeUntil(options.interrupt$), throwIfEmpty(() => new FloodWaitInterrupted(err)));
    },
  });
}
