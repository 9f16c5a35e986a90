// Shared helpers of the archive and imports tests: temp folders, a relay run, sinks and sources to observe.
import { mkdtempSync, promises as fs, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { lastValueFrom, Observable, of, toArray } from "rxjs";
import { afterEach } from "vitest";
import { archiveSink as makeArchiveSink, type ArchiveSink, type ArchiveSinkOptions } from "../../src/archive/index.js";
import { MemoryJournal } from "../../src/journal/index.js";
import type { Batch, IdRange, Loaded, Post } from "../../src/model/index.js";
import { relay, type RelayEvent } from "../../src/pipeline/index.js";
import type { DeliverContext, Delivery, Journal, Sink, Source } from "../../src/ports.js";

export const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/desktop-export");
export const TG2MD = path.join(FIXTURES, "tg2md-private-channel");
export const INNERDVATIONS = path.join(FIXTURES, "innerdvations-json");

const made: string[] = [];
const sinks: ArchiveSink[] = [];
afterEach(async () => {
  // Sinks first: they keep each manifest open for appending (left to GC, Node warns "Closing file descriptor").
  for (const s of sinks.splice(0)) await s.close();
  while (made.length > 0) rmSync(made.pop()!, { recursive: true, force: true });
});

/** archiveSink() from src, closed after the test (its manifests and folder locks released). */
export function archiveSink(spec: string, options: ArchiveSinkOptions = {}): ArchiveSink {
  const sink = makeArchiveSink(spec, options);
  sinks.push(sink);
  return sink;
}

/** A fresh temp folder, removed after the test. */
export function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "tgrelay-archive-"));
  made.push(d);
  return d;
}

/** Run relay() to the end; returns its events and the journal. */
export async function runRelay(
  source: Source,
  sinks: readonly Sink[],
  journal: Journal = new MemoryJournal({ source: source.chatId, targets: sinks.map((s) => s.target) }),
  range: IdRange = {},
): Promise<{ events: RelayEvent[]; journal: Journal }> {
  const events = await lastValueFrom(relay({ source, sinks, journal, range }).pipe(toArray()));
  return { events, journal };
}

/** A source whose download() calls are counted, per post id. */
export function counting(source: Source): Source & { downloads: Map<number, number> } {
  const downloads = new Map<number, number>();
  return {
    chatId: source.chatId,
    account: source.account,
    read: (range, demand$) => source.read(range, demand$),
    download(batch: Batch): Observable<Loaded> {
      for (const p of batch.posts) downloads.set(p.id, (downloads.get(p.id) ?? 0) + 1);
      return source.download(batch);
    },
    downloads,
  };
}

/** A sink standing in for a channel that re-uploads: it needs bytes and keeps what it got, per post. */
export class RecordingSink implements Sink {
  readonly got = new Map<number, { post: Post; bytes?: Buffer }>();
  constructor(readonly target = "-1009999999999") {}
  needsBytes(batch: Batch): boolean {
    return batch.posts.some((p) => p.media !== undefined && p.media.kind !== "poll");
  }
  deliver(loaded: Loaded, _ctx: DeliverContext): Observable<Delivery> {
    return new Observable<Delivery>((sub) => {
      (async () => {
        const ids = new Map<number, number[]>();
        for (const post of loaded.batch.posts) {
          const f = loaded.files.find((x) => x.postId === post.id);
          const bytes = f ? (f.data.kind === "memory" ? f.data.bytes : await fs.readFile(f.data.path)) : undefined;
          this.got.set(post.id, { post, ...(bytes ? { bytes } : {}) });
          ids.set(post.id, [1000 + post.id]);
        }
        return { target: this.target, strategy: "reupload" as const, ids };
      })().then(
        (d) => {
          sub.next(d);
          sub.complete();
        },
        (e: unknown) => sub.error(e),
      );
    });
  }
}

/** A source of fixed posts and in-memory bytes (for cases no fixture has). */
export function memorySource(chatId: string, posts: readonly Post[], bytes: ReadonlyMap<number, Buffer>): Source {
  return {
    chatId,
    account: "",
    read: (range) => of(...posts.filter((p) => (range.fromId ?? -Infinity) <= p.id && p.id <= (range.toId ?? Infinity))),
    download: (batch) =>
      of({
        batch,
        files: batch.posts
          .filter((p) => bytes.has(p.id))
          .map((p) => ({ postId: p.id, data: { kind: "memory" as const, bytes: bytes.get(p.id)! }, size: bytes.get(p.id)!.length })),
        memoryBytes: 0,
        release: async () => {},
      }),
  };
}

/** A post with defaults. */
export function post(id: number, fields: Partial<Post> = {}): Post {
  return { chatId: "-1001", id, date: 1_700_000_000, text: "", entities: [], noforwards: false, linkPreview: false, ...fields };
}
