/**
 * Reading a source outside a relay: all posts of a range (plan), and the few ids around the range's
 * borders to widen an album the range cuts.
 */
import { lastValueFrom, Subject, tap, toArray } from "rxjs";
import { MAX_ALBUM_SIZE, type IdRange, type Post } from "../model/index.js";
import { pullPages } from "../operators/pullPages.js";
import type { Source } from "../ports.js";

/** Every post of `range`, oldest first, read page by page as they are taken. */
export async function readAll(source: Source, range: IdRange): Promise<Post[]> {
  const taken$ = new Subject<number>();
  return lastValueFrom(
    pullPages((demand$) => source.read(range, demand$), taken$, { lowWater: 0 }).pipe(tap(() => taken$.next(1)), toArray()),
  );
}

/** A range after widening, with what was changed, for a notice. */
export interface Widened {
  readonly range: IdRange;
  readonly notices: readonly string[];
}

/**
 * Widen fromId/toId so no album is cut: an album that begins before fromId and reaches into the range
 * starts the range; an album that begins inside and ends after toId ends it.
 */
export async function widenToAlbums(source: Source, range: IdRange): Promise<Widened> {
  const notices: string[] = [];
  let { fromId, toId } = range;
  const m = MAX_ALBUM_SIZE - 1;
  if (fromId !== undefined && fromId > 1) {
    const around = await readAll(source, { fromId: Math.max(1, fromId - m), toId: fromId + m });
    const first = around.find((p) => p.id >= fromId!);
    if (first?.groupedId !== undefined) {
      const members = around.filter((p) => p.groupedId === first.groupedId);
      const start = Math.min(...members.map((p) => p.id));
      if (start < fromId) {
        notices.push(`album ${start}-${Math.max(...members.map((p) => p.id))} is cut by --from-id ${fromId}: widened to start at ${start}`);
        fromId = start;
      }
    }
  }
  if (toId !== undefined) {
    const around = await readAll(source, { fromId: Math.max(1, toId - m), toId: toId + m });
    const last = [...around].reverse().find((p) => p.id <= toId!);
    if (last?.groupedId !== undefined) {
      const members = around.filter((p) => p.groupedId === last.groupedId);
      const end = Math.max(...members.map((p) => p.id));
      if (end > toId) {
        notices.push(`album ${Math.min(...members.map((p) => p.id))}-${end} is cut by --to-id ${toId}: widened to end at ${end}`);
        toId = end;
      }
    }
  }
  return {
    range: { ...range, ...(fromId !== undefined ? { fromId } : {}), ...(toId !== undefined ? { toId } : {}) },
    notices,
  };
}
