/**
 * Properties of relay() over many random runs (fast-check), in virtual time: random pages, albums,
 * media sizes, download and send latencies, flood waits, concurrency and budget.
 */
import fc from "fast-check";
import { defer, from, of, tap, timer, type Observable } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { FloodWait, type Post } from "../../src/model/index.js";
import { ByteBudget } from "../../src/operators/index.js";
import { relay, type RelayEvent } from "../../src/pipeline/index.js";
import { FakeSink, FakeSource } from "../helpers/fakePorts.js";
import { MemoryJournal } from "../helpers/memoryJournal.js";
import { post } from "../helpers/posts.js";

/** A channel history: runs of albums (2..12 items, longer ones get split) and singles. */
const history = fc
  .array(fc.record({ album: fc.integer({ min: 0, max: 12 }), size: fc.integer({ min: 0, max: 60 }) }), { minLength: 0, maxLength: 40 })
  .map((runs) => {
    const posts: Post[] = [];
    let id = 1;
    runs.forEach((r, k) => {
      const n = Math.max(1, r.album);
      for (let j = 0; j < n; j++) {
        const size = (r.size * (j + 1)) % 61;
        posts.push(post(id++, { size, ...(r.album >= 2 ? { groupedId: String(1000 + k) } : {}) }));
      }
    });
    return posts;
  });

/** The batches a correct relay must send: consecutive runs of one groupedId, at most 10 each. */
function expectedBatches(posts: readonly Post[]): number[][] {
  const out: number[][] = [];
  let cur: Post[] = [];
  for (const p of posts) {
    if (p.groupedId === undefined) {
      if (cur.length) out.push(cur.map((q) => q.id));
      cur = [];
      out.push([p.id]);
      continue;
    }
    if (cur.length && (cur[0]!.groupedId !== p.groupedId || cur.length === 10)) {
      out.push(cur.map((q) => q.id));
      cur = [];
    }
    cur.push(p);
  }
  if (cur.length) out.push(cur.map((q) => q.id));
  return out;
}

const scenario = fc.record({
  posts: history,
  pageSize: fc.integer({ min: 1, max: 15 }),
  concurrency: fc.integer({ min: 1, max: 6 }),
  budget: fc.integer({ min: 1, max: 300 }),
  seed: fc.integer(),
  floodEvery: fc.integer({ min: 0, max: 5 }),
});

/** A small deterministic PRNG (mulberry32) for latencies. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("relay properties (virtual time, random latencies)", () => {
  it("keeps source order, never splits an album, sends no post twice and never exceeds the budget", () => {
    fc.assert(
      fc.property(scenario, ({ posts, pageSize, concurrency, budget, seed, floodEvery }) => {
        const rnd = prng(seed);
        const pages: Array<Observable<Post>> = [];
        for (let i = 0; i < posts.length; i += pageSize) {
          const page = posts.slice(i, i + pageSize);
          const delay = Math.floor(rnd() * 5);
          pages.push(defer(() => (delay ? timer(delay) : of(0))).pipe(() => from(page)));
        }
        const bytesOf = (ids: readonly number[]) =>
          ids.reduce((n, id) => n + (posts[id - 1]!.media?.size ?? 0), 0);
        // Bytes downloaded (or downloading) and not yet sent, and the batches holding some. Over the
        // budget is allowed only for one batch bigger than the whole budget, alone.
        let held = 0;
        let holders = 0;
        let violations = 0;
        const events: RelayEvent[] = [];
        let completed = false;
        let failure: unknown;

        const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
        const source = new FakeSource({
          pages,
          download: (b) => {
            const bytes = bytesOf(b.posts.map((p) => p.id));
            held += bytes;
            if (bytes > 0) holders++;
            if (held > budget && holders > 1) violations++;
            return timer(Math.floor(rnd() * 20));
          },
        });
        const sink = new FakeSink({
          deliver: (b, attempt) => {
            const t = timer(Math.floor(rnd() * 20));
            if (floodEvery > 0 && b.seq % floodEvery === 0 && attempt === 1) {
              return t.pipe(tap(() => { throw new FloodWait(1 + (b.seq % 3), "acc1", "messages.SendMedia"); }));
            }
            return t;
          },
        });
        ts.run(() => {
          relay({
            source, sinks: [sink], journal: new MemoryJournal(), range: {}, concurrency,
            budget: new ByteBudget(budget), maxFloodWaitSeconds: 60, maxRetries: 3,
          }).subscribe({
            next: (e) => {
              events.push(e);
              if (e.type === "sent") {
                const bytes = bytesOf(e.postIds);
                held -= bytes;
                if (bytes > 0) holders--;
              }
            },
            error: (e) => (failure = e),
            complete: () => (completed = true),
          });
        });
        expect(failure).toBeUndefined();
        expect(completed).toBe(true);
        expect(sink.delivered).toEqual(expectedBatches(posts));
        const sentIds = sink.delivered.flat();
        expect(new Set(sentIds).size).toBe(sentIds.length);
        expect(violations).toBe(0);
        const done = events.at(-1)!;
        expect(done.type).toBe("done");
        expect(done.totals.sent).toBe(posts.length);
        expect(done.totals.read).toBe(posts.length);
        expect(done.totals.settled).toBe(posts.length);
      }),
      { numRuns: 300 },
    );
  });

  it("resumes: with whole batches already in the journal for some targets, every post reaches every target exactly once", () => {
    fc.assert(
      fc.property(history, fc.integer(), fc.integer({ min: 1, max: 4 }), (posts, seed, concurrency) => {
        const rnd = prng(seed);
        const batches = expectedBatches(posts);
        const journal = new MemoryJournal();
        const targets = ["t1", "t2"];
        // An earlier run delivered some whole batches to some targets.
        const before = new Map(targets.map((t) => [t, new Set<number>()]));
        for (const b of batches) {
          for (const t of targets) {
            if (rnd() < 0.4) {
              journal.seed(t, b);
              for (const id of b) before.get(t)!.add(id);
            }
          }
        }
        const sinks = targets.map((target) => new FakeSink({ target, deliver: () => timer(Math.floor(rnd() * 5)) }));
        let done = false;
        new TestScheduler((a, b) => expect(a).toEqual(b)).run(() => {
          relay({
            source: new FakeSource({ pages: [from(posts)], download: () => timer(Math.floor(rnd() * 5)) }),
            sinks, journal, range: {}, concurrency,
          }).subscribe({ complete: () => (done = true) });
        });
        expect(done).toBe(true);
        sinks.forEach((sink, k) => {
          const sent = sink.delivered.flat();
          const had = before.get(targets[k]!)!;
          // Nothing twice, nothing that was already there, and together: everything, in order.
          expect(sent.filter((id) => had.has(id))).toEqual([]);
          expect(new Set(sent).size).toBe(sent.length);
          expect([...had, ...sent].sort((a, b) => a - b)).toEqual(posts.map((p) => p.id));
          expect(sent).toEqual([...sent].sort((a, b) => a - b));
        });
      }),
      { numRuns: 200 },
    );
  });
});
