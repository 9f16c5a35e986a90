// Drives a Telegram Source and Sink batch by batch (without the pipeline), as the relay does: read pages on
// demand, group albums by groupedId, download when the sink needs bytes, deliver in order.
import { firstValueFrom, lastValueFrom, Subject, toArray } from "rxjs";
import { batchOf, type Batch } from "../../src/model/batch.js";
import type { Post } from "../../src/model/post.js";
import type { IdRange } from "../../src/model/post.js";
import type { DeliverContext, Delivery, Sink, Source } from "../../src/ports.js";

/** Every post of `range`, demanding pages until the source completes. */
export async function readAll(source: Source, range: IdRange = {}): Promise<Post[]> {
  const demand$ = new Subject<void>();
  const all = lastValueFrom(source.read(range, demand$).pipe(toArray()));
  let done = false;
  all.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    demand$.next();
    await new Promise((r) => setTimeout(r, 0));
  }
  return all;
}

/** Group consecutive posts with the same groupedId into batches. */
export function batches(posts: readonly Post[]): Batch[] {
  const out: Batch[] = [];
  let cur: Post[] = [];
  const flush = () => {
    if (cur.length) out.push(batchOf(cur, out.length));
    cur = [];
  };
  for (const p of posts) {
    if (cur.length && (p.groupedId === undefined || p.groupedId !== cur[0]!.groupedId || cur.length === 10)) flush();
    cur.push(p);
    if (p.groupedId === undefined) flush();
  }
  flush();
  return out;
}

/** Deliver every batch to every sink in order; returns the deliveries. `ids` is the journal (source id -> target id). */
export async function relayAll(source: Source, sinks: readonly Sink[], posts: readonly Post[], jobId = "job1"): Promise<Delivery[]> {
  const ids = new Map<string, number>();
  const out: Delivery[] = [];
  for (const b of batches(posts)) {
    const needs = sinks.some((s) => s.needsBytes(b));
    const loaded = needs ? await firstValueFrom(source.download(b)) : { batch: b, files: [], memoryBytes: 0, release: async () => {} };
    for (const sink of sinks) {
      const ctx: DeliverContext = { jobId, account: source.account, replyTarget: (id) => ids.get(`${sink.target}:${id}`) };
      const d = await firstValueFrom(sink.deliver(loaded, ctx));
      for (const [src, t] of d.ids) if (t[0] !== undefined) ids.set(`${sink.target}:${src}`, t[0]);
      out.push(d);
    }
    await loaded.release();
  }
  return out;
}
