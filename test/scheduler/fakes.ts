// Fake Sources and Sinks for scheduler tests: a channel, accounts that read it with latency, targets that
// record what was sent by whom, with Telegram's per-account random-id duplicate detection.
import { concatMap, defer, map, Observable, of, take, throwError, timer } from "rxjs";
import { AccountDead, FloodWait, inRange, Transient, type Batch, type Loaded, type Post } from "../../src/model/index.js";
import type { DeliverContext, Delivery, Sink, Source } from "../../src/ports.js";

/** Deterministic PRNG (mulberry32), so a failing seed can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const post = (id: number, extra: Partial<Post> = {}): Post => ({
  chatId: "-1001", id, date: 1_700_000_000 + id, text: `post ${id}`, entities: [], noforwards: false,
  linkPreview: false, ...extra,
});

/** A channel of `n` ids with albums of 2..5 and a few deleted ids. */
export function channel(n: number, random: () => number): Post[] {
  const posts: Post[] = [];
  let id = 1;
  let g = 0;
  while (id <= n) {
    const r = random();
    if (r < 0.1) id++; // a deleted post
    else if (r < 0.3) {
      const size = 2 + Math.floor(random() * 4);
      g++;
      for (let k = 0; k < size && id <= n; k++) posts.push(post(id++, { groupedId: `g${g}`, media: { kind: "photo", size: 1000 } }));
    } else posts.push(post(id++));
  }
  return posts;
}

/** One request an account made (a page read, a download, a send), with the clock at that time. */
export interface Request {
  readonly account: string;
  readonly kind: "read" | "download" | "send";
  readonly at: number;
}

/** A flood wait an account was told to sit out. */
export interface Wait {
  readonly account: string;
  readonly from: number;
  readonly until: number;
}

export interface Faults {
  /** Seconds of a flood wait for this request, or 0. */
  flood?: (account: string, kind: Request["kind"]) => number;
  /** Whether this account is dead from now on (checked on each request). */
  dead?: (account: string, sends: number) => boolean;
  /** Sends of a batch holding one of these posts fail with Transient (the adapter gave up). */
  failPosts?: ReadonlySet<number>;
  /** Throw this (unexpected error: a "crash") after the send landed, on the n-th send overall. */
  crashAfterSend?: (n: number) => boolean;
}

/** A sent message in a fake target. */
export interface Message {
  readonly id: number;
  readonly sourceId: number;
  readonly account: string;
  readonly replyTo?: number;
  readonly groupedId?: string;
}

export class CrashError extends Error {}

/** Telegram, as far as the scheduler can tell: one channel, targets, accounts, faults, a request log. */
export class FakeWorld {
  readonly requests: Request[] = [];
  readonly waits: Wait[] = [];
  readonly targets = new Map<string, Message[]>();
  /** Random ids already used, per account: (account, jobId, target, post) -> target ids. */
  private readonly randomIds = new Map<string, number[]>();
  private nextId = 1000;
  sends = 0;
  deliverCalls: Array<{ account: string; target: string; postIds: number[] }> = [];

  constructor(
    readonly posts: readonly Post[],
    readonly random: () => number,
    readonly faults: Faults = {},
    readonly latencyMs = 3,
    readonly now: () => number = Date.now,
  ) {}

  private lat(): number {
    return Math.floor(this.random() * this.latencyMs);
  }

  /** Every request checks death and flood waits first, as Telegram would answer them. */
  private request(account: string, kind: Request["kind"]): unknown {
    this.requests.push({ account, kind, at: this.now() });
    if (this.faults.dead?.(account, this.sends)) return new AccountDead(account, "AUTH_KEY_UNREGISTERED");
    const s = this.faults.flood?.(account, kind) ?? 0;
    if (s > 0) {
      const from = this.now();
      this.waits.push({ account, from, until: from + s * 1000 });
      return new FloodWait(s, account, kind);
    }
    return undefined;
  }

  source(account: string, pageSize = 7): Source {
    const world = this;
    return {
      chatId: "-1001",
      account,
      read(range, demand$) {
        return new Observable<Post>((subscriber) => {
          const list = world.posts.filter((p) => inRange(p, range));
          let i = 0;
          const sub = demand$
            .pipe(
              concatMap(() => {
                const err = world.request(account, "read");
                if (err !== undefined) return throwError(() => err);
                const page = list.slice(i, i + pageSize);
                i += page.length;
                return timer(world.lat()).pipe(map(() => page));
              }),
            )
            .subscribe({
              next: (page) => {
                for (const p of page) subscriber.next({ ...p, ref: { account } });
                if (i >= list.length) subscriber.complete();
              },
              error: (e) => subscriber.error(e),
            });
          return sub;
        });
      },
      download(batch: Batch): Observable<Loaded> {
        return defer(() => {
          const err = world.request(account, "download");
          if (err !== undefined) return throwError(() => err);
          const files = batch.posts
            .filter((p) => p.media !== undefined)
            .map((p) => ({ postId: p.id, size: p.media!.size, data: { kind: "memory" as const, bytes: Buffer.alloc(0) } }));
          return timer(world.lat()).pipe(map(() => ({ batch, files, memoryBytes: 0, release: () => Promise.resolve() })));
        });
      },
    };
  }

  /** A target through `account`; with `awaitsTurn` it "uploads" (a latency) before waiting for ctx.turn. */
  sink(target: string, account: string, needsBytes = true, awaitsTurn = false): Sink {
    const world = this;
    if (!this.targets.has(target)) this.targets.set(target, []);
    return {
      target,
      ...(awaitsTurn ? { awaitsTurn: true } : {}),
      needsBytes: (b) => needsBytes && b.posts.some((p) => p.media !== undefined),
      deliver(loaded: Loaded, ctx: DeliverContext): Observable<Delivery> {
        return defer(() => {
          world.deliverCalls.push({ account: ctx.account, target, postIds: loaded.batch.posts.map((p) => p.id) });
          for (const p of loaded.batch.posts) {
            const reader = (p.ref as { account?: string } | undefined)?.account;
            if (reader !== ctx.account || ctx.account !== account) {
              return throwError(() => new Error(`post ${p.id} read by ${reader} sent by ${ctx.account}`));
            }
          }
          if (awaitsTurn && ctx.turn === undefined) return throwError(() => new Error("no turn given"));
          const upload$ = awaitsTurn ? timer(world.lat()).pipe(concatMap(() => ctx.turn!), take(1)) : of(0);
          return upload$.pipe(concatMap(() => {
          const err = world.request(account, "send");
          if (err !== undefined) return throwError(() => err);
          if (loaded.batch.posts.some((p) => world.faults.failPosts?.has(p.id))) {
            return throwError(() => new Transient("timed out", "TIMEOUT"));
          }
          return timer(world.lat()).pipe(
            concatMap(() => {
              const ids = new Map<number, number[]>();
              let duplicate = false;
              const messages = world.targets.get(target)!;
              for (const p of loaded.batch.posts) {
                const key = `${account}|${ctx.jobId}|${target}|${p.id}`;
                const known = world.randomIds.get(key);
                if (known !== undefined) {
                  duplicate = true;
                  ids.set(p.id, known);
                  continue;
                }
                const id = world.nextId++;
                world.randomIds.set(key, [id]);
                ids.set(p.id, [id]);
                const replyTo = p.replyTo === undefined ? undefined : ctx.replyTarget(p.replyTo);
                messages.push({
                  id, sourceId: p.id, account,
                  ...(replyTo === undefined ? {} : { replyTo }),
                  ...(p.groupedId === undefined ? {} : { groupedId: p.groupedId }),
                });
              }
              world.sends++;
              if (world.faults.crashAfterSend?.(world.sends)) return throwError(() => new CrashError("crash"));
              return of<Delivery>({ target, strategy: "copy", ids, ...(duplicate ? { duplicate } : {}) });
            }),
          );
          }));
        });
      },
    };
  }

  /** Source ids as they landed in `target`. */
  landed(target: string): number[] {
    return this.targets.get(target)!.map((m) => m.sourceId);
  }
}
