/**
 * Cutting a job's id range into chunks that accounts pull from a shared queue, and reading a chunk so that
 * albums stay whole: a batch belongs to the chunk that holds its FIRST post. The reader of a chunk reads
 * a few ids past its end to finish an album it started, and skips a leading album that began before it.
 *
 * Why read past the border rather than read all metadata first: a metadata pass costs a GetHistory page per
 * 100 ids before any work starts (hours of requests and flood waits on a big channel), and file references
 * read up front expire. An album's ids are allocated together, so its members lie within MAX_ALBUM_SIZE
 * consecutive ids: reading MAX_ALBUM_SIZE - 1 ids on each side of a chunk is always enough.
 */
import { asapScheduler, defer, filter, map, Observable, Subject, takeWhile, type Subscription } from "rxjs";
import { MAX_ALBUM_SIZE, type IdRange, type Post } from "../model/index.js";
import type { Source } from "../ports.js";

/** A piece of the job's id range, in source order (`index` 0 is the oldest). */
export interface Chunk {
  readonly index: number;
  /** fromId/toId always set; date bounds copied from the job's range. */
  readonly range: IdRange & { readonly fromId: number; readonly toId: number };
}

/** How far past a border a chunk's reader looks to keep an album whole. */
export const ALBUM_MARGIN = MAX_ALBUM_SIZE - 1;

/**
 * Cut `[fromId, toId]` into chunks of `chunkSize` ids each (the last may be shorter), oldest first.
 * @param range the job's range; fromId defaults to 1, toId is required (the newest id of the source)
 * @param chunkSize ids per chunk (100 = one GetHistory page)
 * @returns the chunks, indexed 0..n-1
 */
export function planChunks(range: IdRange & { readonly toId: number }, chunkSize = 100): Chunk[] {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError("chunkSize is a positive integer");
  const from = Math.max(1, range.fromId ?? 1);
  const chunks: Chunk[] = [];
  for (let lo = from, index = 0; lo <= range.toId; lo += chunkSize, index++) {
    const hi = Math.min(range.toId, lo + chunkSize - 1);
    chunks.push({ index, range: { ...range, fromId: lo, toId: hi } });
  }
  return chunks;
}

/**
 * Keep, of a post stream read around `range`, exactly the posts of the batches whose first post lies in
 * `range`: posts before `fromId` and the rest of an album begun before it are dropped (told to `onDrop`),
 * the end of an album begun at or before `toId` is kept, and the stream completes at the first post after.
 */
export function alignToAlbums(
  range: IdRange & { readonly fromId: number; readonly toId: number },
  onDrop?: (post: Post) => void,
) {
  return (posts$: Observable<Post>): Observable<Post> =>
    defer(() => {
      // groupedId of the last post read before the range: a leading album with it began earlier.
      let before: string | undefined;
      // Still inside an album that began before the range.
      let leading = true;
      // groupedId of the last post kept; undefined after a single post.
      let last: string | undefined;
      const classify = (p: Post): "drop" | "keep" | "end" => {
        if (p.id < range.fromId) {
          before = p.groupedId;
          return "drop";
        }
        if (leading) {
          if (before !== undefined && p.groupedId === before) return "drop";
          leading = false;
        }
        if (p.id <= range.toId) {
          last = p.groupedId;
          return "keep";
        }
        return last !== undefined && p.groupedId === last ? "keep" : "end";
      };
      return posts$.pipe(
        map((p) => [p, classify(p)] as const),
        takeWhile(([, c]) => c !== "end"),
        filter(([p, c]) => {
          if (c === "keep") return true;
          onDrop?.(p);
          return false;
        }),
        map(([p]) => p),
      );
    });
}

/**
 * A Source whose reads are album-aligned: `read(range)` reads ALBUM_MARGIN ids more on each side from
 * `source` and keeps exactly the batches that start inside `range` (see alignToAlbums). Reading the chunks
 * of planChunks through it yields every album once and whole.
 *
 * A page may hold only posts that are dropped (ids before the range, the tail of an earlier album). The
 * reader is promised at least one post or completion per demand, so after such a page this asks the
 * source for the next one itself.
 * @param source the account's source
 */
export function albumAlignedSource(source: Source): Source {
  return withBoundedRead(source, (aligned, demand$) => {
    const wide: IdRange = { ...aligned, fromId: Math.max(1, aligned.fromId - ALBUM_MARGIN), toId: aligned.toId + ALBUM_MARGIN };
    return new Observable<Post>((subscriber) => {
      const inner$ = new Subject<unknown>();
      // A demand is open until a kept post answers it.
      let open = false;
      let check: Subscription | undefined;
      const answered = (): void => {
        open = false;
      };
      const dropped = (): void => {
        if (check !== undefined) return;
        // After the page's burst: if nothing answered the open demand, read the next page.
        check = asapScheduler.schedule(() => {
          check = undefined;
          if (open && !subscriber.closed) inner$.next(undefined);
        });
      };
      const demands = demand$.subscribe((d) => {
        open = true;
        inner$.next(d);
      });
      const posts = source
        .read(wide, inner$)
        .pipe(alignToAlbums(aligned, dropped))
        .subscribe({
          next: (p) => {
            answered();
            subscriber.next(p);
          },
          error: (e) => subscriber.error(e),
          complete: () => subscriber.complete(),
        });
      return () => {
        check?.unsubscribe();
        demands.unsubscribe();
        posts.unsubscribe();
      };
    });
  });
}

/** An id range with both ends given, as chunks have. */
export type BoundedRange = IdRange & { readonly fromId: number; readonly toId: number };

/**
 * `source` with its reads of bounded ranges (chunks) done by `read`; unbounded reads and downloads go to
 * `source` itself. The shell of every Source wrapper of the scheduler.
 */
export function withBoundedRead(
  source: Source, read: (range: BoundedRange, demand$: Observable<unknown>) => Observable<Post>,
): Source {
  return {
    chatId: source.chatId,
    account: source.account,
    download: (batch) => source.download(batch),
    read(range, demand$) {
      if (range.fromId === undefined || range.toId === undefined) return source.read(range, demand$);
      return read({ ...range, fromId: range.fromId, toId: range.toId }, demand$);
    },
  };
}
