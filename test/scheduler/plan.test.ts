import fc from "fast-check";
import { firstValueFrom, from, lastValueFrom, NEVER, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { inRange, type Post } from "../../src/model/index.js";
import type { Source } from "../../src/ports.js";
import { albumAlignedSource, planChunks } from "../../src/pipeline/plan.js";
import { Turnstile } from "../../src/pipeline/turnstile.js";

const post = (id: number, groupedId?: string): Post => ({
  chatId: "-1001", id, date: 1_700_000_000 + id, text: "", entities: [], noforwards: false, linkPreview: false,
  ...(groupedId === undefined ? {} : { groupedId }),
});

/** A channel: runs of singles and albums (2..10 consecutive ids, some members deleted), with id gaps. */
const channel = fc
  .array(fc.record({ gap: fc.integer({ min: 0, max: 4 }), album: fc.integer({ min: 0, max: 10 }), holes: fc.integer({ min: 0, max: 3 }) }), { maxLength: 60 })
  .map((runs) => {
    const posts: Post[] = [];
    let id = 1;
    runs.forEach((r, i) => {
      id += r.gap;
      if (r.album < 2) posts.push(post(id++));
      else {
        const members = Array.from({ length: r.album }, (_, k) => id + k);
        id += r.album;
        // Deleted members leave holes inside the album's span, never the first one.
        const kept = members.filter((m, k) => k === 0 || (m * 7 + r.holes) % 5 !== 0 || r.holes === 0);
        for (const m of kept) posts.push(post(m, `g${i}`));
      }
    });
    return posts;
  });

function fakeSource(posts: readonly Post[]): Source {
  return {
    chatId: "-1001",
    account: "a",
    read: (range) => from(posts.filter((p) => inRange(p, range))),
    download: () => NEVER,
  };
}

describe("planChunks", () => {
  it("covers the range with consecutive chunks of the given size", () => {
    expect(planChunks({ fromId: 5, toId: 14 }, 4).map((c) => [c.index, c.range.fromId, c.range.toId])).toEqual([
      [0, 5, 8], [1, 9, 12], [2, 13, 14],
    ]);
    expect(planChunks({ toId: 3, since: 10 }, 100)).toEqual([{ index: 0, range: { toId: 3, since: 10, fromId: 1 } }]);
    expect(planChunks({ fromId: 4, toId: 3 }, 10)).toEqual([]);
    expect(() => planChunks({ toId: 3 }, 0)).toThrow(RangeError);
  });
});

describe("albumAlignedSource", () => {
  it("reads every post exactly once and every album whole inside one chunk, whatever the chunk size", async () => {
    await fc.assert(
      fc.asyncProperty(channel, fc.integer({ min: 1, max: 25 }), async (posts, size) => {
        const source = albumAlignedSource(fakeSource(posts));
        const top = posts.at(-1)?.id ?? 1;
        const seen: number[] = [];
        const chunkOfAlbum = new Map<string, number>();
        for (const c of planChunks({ toId: top }, size)) {
          const got = await lastValueFrom(source.read(c.range, NEVER).pipe(toArray()));
          if (got.length > 0) expect(got[0]!.id).toBeGreaterThanOrEqual(c.range.fromId);
          for (const p of got) {
            seen.push(p.id);
            if (p.groupedId !== undefined) {
              const before = chunkOfAlbum.get(p.groupedId);
              if (before !== undefined) expect(before).toBe(c.index);
              chunkOfAlbum.set(p.groupedId, c.index);
            }
          }
        }
        expect(seen).toEqual(posts.map((p) => p.id));
      }),
      { numRuns: 300 },
    );
  });

  it("finishes an album past the chunk end and skips the album begun before the chunk", async () => {
    const posts = [post(1), post(2, "a"), post(3, "a"), post(4, "a"), post(5), post(6, "b"), post(7, "b")];
    const s = albumAlignedSource(fakeSource(posts));
    const ids = async (fromId: number, toId: number) =>
      (await lastValueFrom(s.read({ fromId, toId }, NEVER).pipe(toArray()))).map((p) => p.id);
    expect(await ids(1, 2)).toEqual([1, 2, 3, 4]);
    expect(await ids(3, 5)).toEqual([5]);
    expect(await ids(6, 6)).toEqual([6, 7]);
    expect(await ids(7, 9)).toEqual([]);
  });
});

describe("Turnstile", () => {
  it("opens chunk k only when every chunk before k is done, in any completion order", async () => {
    const t = new Turnstile();
    const opened: number[] = [];
    for (const k of [3, 1, 2, 0]) t.wait(k).subscribe(() => opened.push(k));
    expect(opened).toEqual([0]);
    t.done(2);
    expect(opened).toEqual([0]);
    t.done(0);
    expect(opened).toEqual([0, 1]);
    t.done(1);
    expect([...opened].sort()).toEqual([0, 1, 2, 3]);
    expect(t.current).toBe(3);
    t.done(1);
    expect(t.current).toBe(3);
    await firstValueFrom(t.wait(0));
    expect(t.isOpen(4)).toBe(false);
  });
});
