/**
 * Serving a list of posts page by page on demand, the way Source.read pulls: nothing is read before the
 * first demand, each demand emits one more page, and the stream completes after the last page.
 */
import { Observable } from "rxjs";
import type { Post } from "../model/index.js";

/** Posts per page for local sources (Telegram's GetHistory page is 100 too). */
export const PAGE_SIZE = 100;

/**
 * Emit `load()`'s posts in pages of `pageSize`, one page per value of `demand$`. `load` runs once, on the
 * first demand; its error is the stream's error.
 */
export function pagesOnDemand(
  load: () => Promise<readonly Post[]>,
  demand$: Observable<unknown>,
  pageSize = PAGE_SIZE,
): Observable<Post> {
  return new Observable<Post>((subscriber) => {
    let posts: readonly Post[] | undefined;
    let loading: Promise<void> | undefined;
    let next = 0;
    let asked = 0;
    let closed = false;
    const pump = (): void => {
      if (!posts || closed) return;
      while (asked > 0 && next < posts.length && !subscriber.closed) {
        asked--;
        const end = Math.min(posts.length, next + pageSize);
        for (; next < end && !subscriber.closed; next++) subscriber.next(posts[next]!);
      }
      if (next >= posts.length && !subscriber.closed) {
        closed = true;
        subscriber.complete();
      }
    };
    const demand = demand$.subscribe({
      next: () => {
        asked++;
        if (!loading) {
          loading = load().then(
            (p) => {
              posts = p;
              pump();
            },
            (e: unknown) => subscriber.error(e),
          );
        } else pump();
      },
      error: (e: unknown) => subscriber.error(e),
    });
    return () => {
      closed = true;
      demand.unsubscribe();
    };
  });
}
