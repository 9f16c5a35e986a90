import {
  asapScheduler, from, Observable, Subject,
  type ObservableInput, type SchedulerLike, type Subscription,
} from "rxjs";
import { subscribeChained } from "./internals.js";

export interface PullPagesOptions {
  /** Ask for the next page when at most this many read items are not consumed yet. Default 0. */
  readonly lowWater?: number;
  /**
   * Where the demand check runs, after the current page's burst of items. Default `asapScheduler`
   * (a microtask; virtual inside `TestScheduler.run`).
   */
  readonly scheduler?: SchedulerLike;
}

/**
 * Reads a paged source on demand: asks for one page at subscription, and for the next page only when
 * the consumer has used up what was read (at most `lowWater` items left).
 *
 * <span class="informal">A feedback loop instead of backpressure, which rxjs has not: the consumer says
 * how many items it has taken, the source is asked for pages.</span>
 *
 * ```
 * pages (on each demand):   -(ab|)   then   -(cd|)
 * consumed$:                ---1-1
 *          > pullPages(read, consumed$, { lowWater: 0 })
 * result:  -(ab)-(cd|)          the 2nd page is asked for at frame 5, when a and b are consumed
 * ```
 *
 * `read(demand$)` must return a cold Observable that reads one more page on each `demand$` value and
 * completes after the last one; each demand must give at least one item or completion (else the loop
 * waits). A demand is answered when its first item arrives; the next check waits for the scheduler, so a
 * page arriving as a synchronous burst is counted whole before more is asked for. Errors of the source
 * and of `consumed$` pass through; completion of `consumed$` is ignored; unsubscribing stops reading.
 *
 * ## Example
 * ```ts
 * const taken$ = new Subject<number>();
 * pullPages((demand$) => source.read(range, demand$), taken$, { lowWater: 20 })
 *   .pipe(tap(() => taken$.next(1)), ...);
 * ```
 *
 * @param read Opens the paged source on the demand stream.
 * @param consumed$ How many read items the consumer has taken (each value adds to the count).
 * @param options `lowWater` and `scheduler`.
 * @returns An Observable of the source's items, read no faster than they are consumed.
 */
export function pullPages<T>(
  read: (demand$: Observable<void>) => ObservableInput<T>,
  consumed$: Observable<number>,
  options: PullPagesOptions = {},
): Observable<T> {
  const lowWater = options.lowWater ?? 0;
  const scheduler = options.scheduler ?? asapScheduler;

  return new Observable<T>((subscriber) => {
    // One value per page asked for.
    const demand$ = new Subject<void>();
    // Items read, and items the consumer took.
    let read_ = 0;
    let consumed = 0;
    // A page was asked for and no item has come since.
    let outstanding = false;
    // A demand check is scheduled.
    let check: Subscription | undefined;

    const demand = () => {
      outstanding = true;
      demand$.next();
    };
    const scheduleCheck = () => {
      if (check !== undefined || outstanding || subscriber.closed) return;
      check = scheduler.schedule(() => {
        check = undefined;
        if (!outstanding && !subscriber.closed && read_ - consumed <= lowWater) demand();
      });
    };

    const counting = consumed$.subscribe({
      next: (n) => {
        consumed += n;
        scheduleCheck();
      },
      error: (err) => subscriber.error(err),
    });
    const reading = subscribeChained(from(read(demand$.asObservable())), subscriber, {
      next: (item) => {
        read_++;
        outstanding = false;
        subscriber.next(item);
        scheduleCheck();
      },
      error: (err) => subscriber.error(err),
      complete: () => subscriber.complete(),
    });
    if (!subscriber.closed) demand();

    return () => {
      check?.unsubscribe();
      reading.unsubscribe();
      counting.unsubscribe();
      demand$.complete();
    };
  });
}
