import { asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from "rxjs";
import { MAX_ALBUM_SIZE } from "../model/batch.js";
import { keyValue, NO_KEY, operate, subscribeChained } from "./internals.js";

export interface BufferByMediaGroupOptions {
  /** Most items in one array; a longer run of one key is split into consecutive arrays. Default 10 (Telegram's album limit). */
  readonly maxSize?: number;
  /** Flush an open album that got no new item for this long (for live sources). Default: never. */
  readonly maxWaitMs?: number;
  /** Where the idle timer runs. Default `asyncScheduler` (virtual time inside `TestScheduler.run`). */
  readonly scheduler?: SchedulerLike;
}

/**
 * Buffers consecutive items of one media group (album) into an array, and emits every item without a
 * group as an array of its own.
 *
 * <span class="informal">Like `bufferCount`, but the buffer closes when the album key changes.</span>
 *
 * ```
 * source:  -a-b-x-c-d-|          a, b: album 1   c, d: album 2   x: no album
 *          > bufferByMediaGroup(m => m.groupedId)
 * result:  -----(PX)--(Q|)       P = [a, b]   X = [x]   Q = [c, d]
 * ```
 *
 * Keys compare by value: strings, numbers, bigints and objects with their own `toString` (GramJS's
 * big-integer `groupedId`) — "5", 5, 5n and bigInt(5) are one album. An item with a different key, or
 * without a key, flushes the open album first; a key-less item then goes out alone, in the same frame,
 * after the album. Completion flushes the open album, then completes. An error drops the open album and
 * forwards the error (as the buffer family does); unsubscribing emits nothing. Never emits an empty array.
 * State is per subscription.
 *
 * ## Example
 * ```ts
 * posts$.pipe(bufferByMediaGroup((p) => p.groupedId)).subscribe((batch) => console.log(batch.map((p) => p.id)));
 * // [1] [2, 3, 4] [5]   (2, 3, 4 share a groupedId)
 * ```
 *
 * @param keyOf The item's album key; `undefined` or `null` means "not in an album". A throw errors the result.
 * @param options `maxSize` (default 10), `maxWaitMs` idle flush, `scheduler` for the idle timer.
 * @returns A function that returns an Observable of arrays of consecutive items of one album, or of one item.
 */
export function bufferByMediaGroup<T>(
  keyOf: (item: T) => unknown,
  options: BufferByMediaGroupOptions = {},
): OperatorFunction<T, T[]> {
  const maxSize = options.maxSize ?? MAX_ALBUM_SIZE;
  if (!(maxSize >= 1)) throw new RangeError("bufferByMediaGroup: maxSize must be >= 1");
  const { maxWaitMs } = options;
  const scheduler = options.scheduler ?? asyncScheduler;

  return operate<T, T[]>((source, subscriber) => {
    // The open album's items, and its key (by value).
    let album: T[] = [];
    let albumKey: unknown = NO_KEY;
    // The idle timer of the open album, when maxWaitMs is set.
    let idle: Subscription | undefined;

    const flush = () => {
      idle?.unsubscribe();
      idle = undefined;
      if (album.length === 0) return;
      const out = album;
      album = [];
      albumKey = NO_KEY;
      subscriber.next(out);
    };

    const armIdle = () => {
      if (maxWaitMs === undefined) return;
      idle?.unsubscribe();
      idle = scheduler.schedule(flush, maxWaitMs);
    };

    const sub = subscribeChained(source, subscriber, {
      next: (item) => {
        if (subscriber.closed) return;
        let key: unknown;
        try {
          key = keyValue(keyOf(item));
        } catch (err) {
          subscriber.error(err);
          return;
        }
        if (key === NO_KEY) {
          // Album first, then the single, in the same frame.
          flush();
          subscriber.next([item]);
          return;
        }
        if (key !== albumKey) flush();
        album.push(item);
        albumKey = key;
        // A full album goes out at once; the next item of the same key starts a new array.
        if (album.length >= maxSize) flush();
        else armIdle();
      },
      error: (err) => {
        album = [];
        subscriber.error(err);
      },
      complete: () => {
        flush();
        subscriber.complete();
      },
    });

    return () => {
      sub.unsubscribe();
      idle?.unsubscribe();
      album = [];
    };
  });
}
