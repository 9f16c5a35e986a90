import { from, type ObservableInput, type OperatorFunction, type Subscription } from "rxjs";
import { operate, subscribeChained } from "./internals.js";

/** One running (or finished, not yet emitted) inner, in source order. */
interface Slot<R> {
  /** Values the inner gave while an earlier slot was still open. */
  readonly buffer: R[];
  /** Values go straight out: this is the head slot and its buffer is flushed. */
  live: boolean;
  complete: boolean;
  subscription?: Subscription;
}

/**
 * Maps each source value to an inner Observable, runs up to `concurrency` of them at once, and emits
 * their values in source order.
 *
 * <span class="informal">`mergeMap` with a concurrency cap and `concatMap`'s order: rxjs's missing
 * `concatMapEager`, with a bounded buffer.</span>
 *
 * ```
 * source:  abc|                a -> -----A|   b -> B|   c -> -----C|
 *          > orderedMergeMap(x => inner[x], 2)
 * result:  -----AB----C|       c starts at frame 6, when a and b are out and free their slots
 *                              (plain mergeMap: -B---A-C|)
 * ```
 *
 * A slot is taken when an inner is subscribed and freed only when the inner has completed AND its values
 * have been emitted, so at most `concurrency` inners are running or waiting with finished results: the
 * reorder buffer is bounded (plain `concatMapEager` frees the slot at completion, so a stalled head lets
 * finished results pile up). Source values wait, unsubscribed, until a slot is free. The head inner's
 * values stream out as they come; later inners' values wait. An error of the source, of an inner, or of
 * `project` errors the result at once; unsubscribing unsubscribes every inner.
 *
 * ## Example
 * ```ts
 * batches$.pipe(orderedMergeMap((batch) => download(batch), 4)).subscribe(send);
 * // up to 4 downloads at once; results in batch order
 * ```
 *
 * @param project Maps a value (and its index) to the inner ObservableInput, subscribed when a slot is free.
 * @param concurrency Most inners running or holding values at once (>= 1).
 * @returns A function that returns an Observable of the inners' values, in source order.
 */
export function orderedMergeMap<T, R>(
  project: (value: T, index: number) => ObservableInput<R>,
  concurrency: number,
): OperatorFunction<T, R> {
  if (!(concurrency >= 1)) throw new RangeError("orderedMergeMap: concurrency must be >= 1");

  return operate<T, R>((source, subscriber) => {
    // Source values waiting for a slot, with their indices.
    const waiting: Array<{ value: T; index: number }> = [];
    // Taken slots, oldest (the one whose values go out now) first.
    const slots: Array<Slot<R>> = [];
    // Index given to project.
    let index = 0;
    // The source completed.
    let sourceDone = false;
    // pump() is running; a call from inside it only asks for one more round.
    let pumping = false;
    let again = false;

    const start = (value: T, i: number) => {
      const slot: Slot<R> = { buffer: [], live: false, complete: false };
      slots.push(slot);
      const inner = from(project(value, i));
      slot.subscription = inner.subscribe({
        next: (v) => {
          if (slot.live) subscriber.next(v);
          else slot.buffer.push(v);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          slot.complete = true;
          pump();
        },
      });
    };

    // Emit finished head slots, start waiting values while there is room, complete when all is done.
    const pump = () => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          while (slots.length > 0 && !subscriber.closed) {
            const head = slots[0]!;
            while (head.buffer.length > 0 && !subscriber.closed) subscriber.next(head.buffer.shift()!);
            head.live = true;
            if (!head.complete) break;
            slots.shift();
          }
          while (slots.length < concurrency && waiting.length > 0 && !subscriber.closed) {
            const next = waiting.shift()!;
            start(next.value, next.index);
            // The new slot may be the head now: one more round makes it live.
            again = true;
          }
        } while (again && !subscriber.closed);
        if (sourceDone && slots.length === 0 && waiting.length === 0) subscriber.complete();
      } catch (err) {
        subscriber.error(err);
      } finally {
        pumping = false;
      }
    };

    const sub = subscribeChained(source, subscriber, {
      next: (value) => {
        waiting.push({ value, index: index++ });
        pump();
      },
      error: (err) => subscriber.error(err),
      complete: () => {
        sourceDone = true;
        pump();
      },
    });

    return () => {
      sub.unsubscribe();
      for (const slot of slots) slot.subscription?.unsubscribe();
      slots.length = 0;
      waiting.length = 0;
    };
  });
}
