/** In-test Source and Sink doubles whose timing comes from Observables (cold() in marble tests). */
import { concatMap, defer, map, of, take, type Observable } from "rxjs";
import type { Batch, Loaded, Post } from "../../src/model/index.js";
import type { DeliverContext, Delivery, Sink, Source, Strategy } from "../../src/ports.js";

/** A Loaded with a memory file per post that has media (no real bytes unless `bytes` is true). */
export function loadedOf(batch: Batch, bytes = false): Loaded {
  const files = batch.posts
    .filter((p) => p.media !== undefined)
    .map((p) => ({
      postId: p.id,
      size: p.media!.size,
      data: { kind: "memory" as const, bytes: bytes ? Buffer.alloc(p.media!.size, p.id & 0xff) : Buffer.alloc(0) },
    }));
  return { batch, files, memoryBytes: files.reduce((n, f) => n + f.size, 0), release: () => Promise.resolve() };
}

export interface FakeSourceOptions {
  /** One Observable of posts per page, read on demand. */
  readonly pages: ReadonlyArray<Observable<Post>>;
  /** How a batch's download behaves (its first value = done); default: at once. */
  readonly download?: (batch: Batch) => Observable<unknown>;
  readonly bytes?: boolean;
}

export class FakeSource implements Source {
  readonly chatId = "-1001";
  readonly account = "acc1";
  /** Seqs of the batches whose download was subscribed. */
  readonly downloads: number[] = [];
  pagesRead = 0;
  constructor(private readonly options: FakeSourceOptions) {}
  read(_range: unknown, demand$: Observable<unknown>): Observable<Post> {
    const { pages } = this.options;
    return demand$.pipe(
      take(pages.length),
      concatMap((_, i) => defer(() => {
        this.pagesRead++;
        return pages[i]!;
      })),
    );
  }
  download(batch: Batch): Observable<Loaded> {
    return defer(() => {
      this.downloads.push(batch.seq);
      const timing = this.options.download?.(batch) ?? of(null);
      return timing.pipe(take(1), map(() => loadedOf(batch, this.options.bytes ?? false)));
    });
  }
}

export interface FakeSinkOptions {
  readonly target?: string;
  readonly needsBytes?: boolean;
  /** How the attempt-th (1-based) delivery of a batch behaves (its first value = sent); default: at once. */
  readonly deliver?: (batch: Batch, attempt: number) => Observable<unknown>;
  readonly strategy?: Strategy;
}

export class FakeSink implements Sink {
  readonly target: string;
  /** Batches as delivered (post ids), in order, with the context's reply lookups. */
  readonly delivered: number[][] = [];
  readonly attempts = new Map<number, number>();
  private nextId = 1;
  constructor(private readonly options: FakeSinkOptions = {}) {
    this.target = options.target ?? "t1";
  }
  needsBytes(): boolean {
    return this.options.needsBytes ?? true;
  }
  deliver(loaded: Loaded, ctx: DeliverContext): Observable<Delivery> {
    return defer(() => {
      const batch = loaded.batch;
      const attempt = (this.attempts.get(batch.seq) ?? 0) + 1;
      this.attempts.set(batch.seq, attempt);
      const timing = this.options.deliver?.(batch, attempt) ?? of(null);
      return timing.pipe(
        take(1),
        map((): Delivery => {
          this.delivered.push(batch.posts.map((p) => p.id));
          void ctx;
          const ids = new Map(batch.posts.map((p) => [p.id, [this.nextId++]] as const));
          return { target: this.target, strategy: this.options.strategy ?? "reupload", ids };
        }),
      );
    });
  }
}
