import { NEVER, of, throwError, toArray, lastValueFrom, type Observable } from "rxjs";
import { describe, expect, it } from "vitest";
import { AccountDead, Transient, type Batch, type Loaded, type Post } from "../../src/model/index.js";
import type { DeliverContext, Delivery, Sink } from "../../src/ports.js";
import { relay, type RelayEvent, type RelayOptions } from "../../src/pipeline/index.js";
import { FakeSink, FakeSource, loadedOf } from "../helpers/fakePorts.js";
import { MemoryJournal } from "../helpers/memoryJournal.js";
import { post } from "../helpers/posts.js";

const album = [post(1, { groupedId: "7", size: 5 }), post(2, { groupedId: "7", size: 6 })];
const singles = [post(3, { size: 7 }), post(4, { replyTo: 1 })];

const run = (options: Partial<RelayOptions> & Pick<RelayOptions, "sinks">, pages: Post[][] = [[...album, ...singles]]) => {
  const source = options.source ?? new FakeSource({ pages: pages.map((p) => of(...p)) });
  return lastValueFrom(
    relay({ source, journal: new MemoryJournal(), range: {}, ...options }).pipe(toArray()),
  );
};
const ofType = <T extends RelayEvent["type"]>(events: RelayEvent[], type: T) =>
  events.filter((e): e is Extract<RelayEvent, { type: T }> => e.type === type);

describe("relay", () => {
  it("delivers to every sink in order, skipping a sink that already has a batch", async () => {
    const journal = new MemoryJournal().seed("t2", [1, 2]);
    const t1 = new FakeSink({ target: "t1" });
    const t2 = new FakeSink({ target: "t2" });
    const events = await run({ sinks: [t1, t2], journal });
    expect(t1.delivered).toEqual([[1, 2], [3], [4]]);
    expect(t2.delivered).toEqual([[3], [4]]);
    expect(ofType(events, "skipped")).toMatchObject([{ postIds: [1, 2], reason: "already delivered", target: "t2", seq: 0 }]);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: "done", stopped: false, account: "acc1" });
    expect(done.totals).toMatchObject({ read: 4, batches: 3, settled: 4, sent: 6, skipped: 2, bytesDownloaded: 18, bytesSent: 18 + 7 });
  });

  it("gives the sink reply targets from the journal and the job id", async () => {
    const seen: Array<[number, number | undefined, string]> = [];
    const sink: Sink = {
      target: "t1",
      needsBytes: () => false,
      deliver: (loaded: Loaded, ctx: DeliverContext): Observable<Delivery> => {
        for (const p of loaded.batch.posts) if (p.replyTo) seen.push([p.id, ctx.replyTarget(p.replyTo), ctx.jobId]);
        return of({ target: "t1", strategy: "copy", ids: new Map(loaded.batch.posts.map((p) => [p.id, [100 + p.id]])) });
      },
    };
    await run({ sinks: [sink] });
    // Post 4 replies to post 1, delivered earlier in the same run as message 101.
    expect(seen).toEqual([[4, 101, "job-1"]]);
  });

  it("a post the sink leaves out is reported skipped, not sent; a batch left out whole gets no sent event", async () => {
    // The sink leaves out post 2 of the album and post 3 whole (as skip-protected does).
    const out = new Set([2, 3]);
    const sink: Sink = {
      target: "t1",
      needsBytes: () => false,
      deliver: (loaded: Loaded): Observable<Delivery> => {
        const posts = loaded.batch.posts;
        return of({
          target: "t1", strategy: "copy",
          ids: new Map(posts.filter((p) => !out.has(p.id)).map((p) => [p.id, [100 + p.id]])),
          skipped: posts.filter((p) => out.has(p.id)).map((p) => ({ postId: p.id, reason: "protected" })),
        });
      },
    };
    const events = await run({ sinks: [sink] });
    expect(ofType(events, "sent").map((e) => e.postIds)).toEqual([[1], [4]]);
    expect(ofType(events, "skipped").map((e) => [e.postIds, e.reason])).toEqual([[[2], "protected"], [[3], "protected"]]);
    expect(events.at(-1)!.totals).toMatchObject({ sent: 2, skipped: 2, settled: 4 });
  });

  it("records a Transient failure of one target and goes on", async () => {
    const journal = new MemoryJournal();
    const sink = new FakeSink({
      deliver: (b) => (b.seq === 1 ? throwError(() => new Transient("timeout", "TIMEOUT")) : of(1)),
    });
    const events = await run({ sinks: [sink], journal });
    expect(ofType(events, "failed")).toMatchObject([{ seq: 1, postIds: [3], reason: "TIMEOUT", target: "t1" }]);
    expect(journal.failures).toEqual([{ target: "t1", postIds: [3], reason: "TIMEOUT" }]);
    expect(sink.delivered).toEqual([[1, 2], [4]]);
    expect(events.at(-1)!.totals).toMatchObject({ failed: 1, settled: 4 });
  });

  it("ends with AccountDead", async () => {
    const sink = new FakeSink({ deliver: () => throwError(() => new AccountDead("acc1", "AUTH_KEY_UNREGISTERED")) });
    await expect(run({ sinks: [sink] })).rejects.toBeInstanceOf(AccountDead);
  });

  it("applies filter, edit, skip and transform; numbers batches from seqBase", async () => {
    const sink = new FakeSink();
    const seqs: number[] = [];
    const afters: number[] = [];
    const texts: string[] = [];
    const base: Sink = sink;
    const spy: Sink = {
      target: "t1", needsBytes: () => true,
      deliver: (l, c) => { seqs.push(l.batch.seq); texts.push(...l.batch.posts.map((p) => p.text)); return base.deliver(l, c); },
    };
    const events = await run({
      sinks: [spy],
      filter: (p) => (p.id === 3 ? "size" : true),
      edit: (p) => ({ ...p, text: p.text.toUpperCase() }),
      skip: (b: Batch) => (b.posts[0]!.id === 4 ? "text" : undefined),
      transform: (b: Batch) => ({ ...b, posts: b.posts.map((p) => ({ ...p, text: `${p.text}!` })) }),
      seqBase: 40,
      afterSend: (b) => afters.push(b.seq),
    });
    expect(seqs).toEqual([40]);
    expect(afters).toEqual([40]);
    expect(texts).toEqual(["POST 1!", "POST 2!"]);
    expect(ofType(events, "skipped").map((e) => [e.postIds, e.reason])).toEqual([[[3], "size"], [[4], "text"]]);
    expect(events.at(-1)!.totals.settled).toBe(4);
  });

  it("calls beforeSend and afterSend once per batch, also for a batch skipped at download", async () => {
    const calls: string[] = [];
    const source = new FakeSource({
      pages: [of(...album, ...singles)],
      download: (b) => (b.seq === 1 ? throwError(() => new (class extends Error {})()) : of(1)),
    });
    // Not a SkipPost: the run ends with it, after the batch before it was sent.
    const sink = new FakeSink();
    await expect(run({ sinks: [sink], source, beforeSend: (b) => { calls.push(`before ${b.seq}`); return of(1); }, afterSend: (b) => calls.push(`after ${b.seq}`) })).rejects.toBeInstanceOf(Error);
    expect(calls).toEqual(["before 0", "after 0"]);
  });

  it("emits flood-wait with the account, method, seconds and the end of the wait", async () => {
    const { FloodWait } = await import("../../src/model/index.js");
    const { TestScheduler } = await import("rxjs/testing");
    const events: RelayEvent[] = [];
    new TestScheduler(() => undefined).run(() => {
      const sink = new FakeSink({
        deliver: (_b, attempt) => (attempt === 1 ? throwError(() => new FloodWait(7, "acc9", "messages.SendMedia")) : of(1)),
      });
      relay({ source: new FakeSource({ pages: [of(singles[0]!)] }), sinks: [sink], journal: new MemoryJournal(), range: {} })
        .subscribe((e) => events.push(e));
    });
    expect(ofType(events, "flood-wait")).toMatchObject([{ account: "acc9", method: "messages.SendMedia", seconds: 7, until: 7000, attempt: 1, seq: 0, target: "t1" }]);
    expect(ofType(events, "sent")).toHaveLength(1);
    expect(events.at(-1)!.totals).toMatchObject({ floodWaits: 1, floodWaitSeconds: 7 });
  });

  it("releases what it holds when cancelled", () => {
    let released = 0;
    const source = new FakeSource({ pages: [of(...singles)] });
    source.download = (b: Batch) =>
      of({ ...loadedOf(b), release: () => { released++; return Promise.resolve(); } });
    const sink = new FakeSink({ deliver: () => NEVER });
    const sub = relay({ source, sinks: [sink], journal: new MemoryJournal(), range: {}, concurrency: 2 }).subscribe();
    // Both batches are downloaded; the first hangs in its send, the second waits behind it.
    expect(sink.attempts.get(0)).toBe(1);
    expect(released).toBe(0);
    sub.unsubscribe();
    expect(released).toBe(2);
  });

  it("a failed download costs only the sinks that need bytes; a forwarding sink still gets the batch", async () => {
    const { SkipPost } = await import("../../src/model/index.js");
    const journal = new MemoryJournal();
    const source = new FakeSource({
      pages: [of(...album)],
      download: () => throwError(() => new SkipPost("FILE_REFERENCE_EXPIRED")),
    });
    const archive = new FakeSink({ target: "dir:/a", needsBytes: true });
    const forward = new FakeSink({ target: "t-fwd", needsBytes: false, strategy: "forward" });
    const events = await run({ sinks: [archive, forward], source, journal });
    expect(archive.delivered).toEqual([]);
    expect(forward.delivered).toEqual([[1, 2]]);
    expect(journal.failures).toEqual([{ target: "dir:/a", postIds: [1, 2], reason: "FILE_REFERENCE_EXPIRED" }]);
    expect(ofType(events, "sent").map((e) => e.target)).toEqual(["t-fwd"]);
  });

  it("refuses a run without sinks", async () => {
    await expect(run({ sinks: [] })).rejects.toBeInstanceOf(RangeError);
  });

  it("reads a page only when the pipeline needs more (pull-based)", async () => {
    const pages = Array.from({ length: 50 }, (_, i) => [post(100 + i)]);
    const source = new FakeSource({ pages: pages.map((p) => of(...p)) });
    const sink = new FakeSink({ deliver: () => NEVER });
    const sub = relay({ source, sinks: [sink], journal: new MemoryJournal(), range: {}, concurrency: 2 }).subscribe();
    await new Promise((r) => setTimeout(r, 20));
    sub.unsubscribe();
    // The window (2 * 2 + 1 batches), the two slots waiting for it, the read-ahead of one album
    // (10 posts) and the page that crossed it: 18 one-post pages, never all 50.
    expect(source.pagesRead).toBe(5 + 2 + 10 + 1);
    expect(sink.delivered).toEqual([]);
  });
});
