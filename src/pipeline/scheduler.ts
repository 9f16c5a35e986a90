/**
 * Many accounts on one job. The id range is cut into album-aligned chunks (plan.ts); accounts pull chunks
 * from one shared queue, lowest first, and run relay() on each, so no account idles while work remains.
 *
 * - An account cooling down after a flood wait takes no new chunk, and no request of it goes out until
 *   the wait is over (the account gate below); the others go on.
 * - An account that dies (AccountDead) hands its chunk back; another account reads it again, skipping what
 *   the journal has, and goes on.
 * - A chunk with an uncommitted send in the journal goes to the account that began it, so the resend
 *   carries the same random ids and Telegram recognises a send that had landed.
 * - Order "strict": reads, downloads and uploads run on every account at once, but a batch of chunk k is
 *   sent only after every chunk before k is done (turnstile.ts). Order "relaxed": each account sends when
 *   ready. A post is always sent by the account that read it (media references are per account).
 */
import {
  asapScheduler, asyncScheduler, catchError, concat, concatMap, defer, EMPTY, from, map, Observable, of, retry,
  shareReplay, Subject, take, throwError, timer, type SchedulerLike, type Subscription,
} from "rxjs";
import { AccountDead, FloodWait, inRange, type IdRange, type Post } from "../model/index.js";
import { ByteBudget } from "../operators/byteBudget.js";
import type { Journal, Sink, Source } from "../ports.js";
import { ZERO_TOTALS, type RelayEvent, type RelayTotals } from "./events.js";
import { ALBUM_MARGIN, albumAlignedSource, withBoundedRead, type Chunk } from "./plan.js";
import { relay, type RelayOptions } from "./relay.js";
import { Turnstile } from "./turnstile.js";

/** One account of a job: its source (reading the job's chat) and its sinks (one per target). */
export interface Account {
  readonly name: string;
  readonly source: Source;
  readonly sinks: readonly Sink[];
}

export type Order = "strict" | "relaxed";

/** Relay options the scheduler passes through to every chunk's run. */
export type ChunkRelayOptions = Omit<
  RelayOptions,
  "source" | "sinks" | "journal" | "range" | "stop$" | "scheduler" | "beforeSend" | "afterSend" | "seqBase" | "account" | "budget"
>;

export interface ScheduleOptions {
  readonly accounts: readonly Account[];
  readonly journal: Journal;
  /** The job's range; toId (the newest id of the source) is needed to cut it into chunks. */
  readonly range: IdRange & { readonly toId: number };
  /**
   * Ids per chunk. Default: 1 in strict order (each account's page windows make small chunks cost no
   * extra reads, and a chunk's uploads after its turn stay short), 100 in relaxed order.
   */
  readonly chunkSize?: number;
  /** Default "strict". */
  readonly order?: Order;
  /** First value: graceful stop (batches started are sent and committed, no new chunk starts). */
  readonly stop$?: Observable<unknown>;
  /** Where waits run (virtual time in tests). Default asyncScheduler. */
  readonly scheduler?: SchedulerLike;
  /** Bytes downloaded-not-sent allowed per account (default 64 MiB): one ByteBudget per account. */
  readonly budgetBytesPerAccount?: number;
  /**
   * Strict order: chunks one account runs at once (default 6), so its downloads and uploads for later
   * chunks go on while an earlier chunk waits for its turn. The per-account byte budget is split between
   * them. Relaxed order: always 1.
   */
  readonly chunksPerAccount?: number;
  /** Only these source post ids (e.g. `tgrelay retry`): other posts are passed over. */
  readonly onlyIds?: ReadonlySet<number>;
  readonly relay?: ChunkRelayOptions;
}

/** A chunk started or ended on an account. `handedBack`: the account died or was preempted. */
export interface ChunkEvent {
  readonly type: "chunk";
  readonly phase: "start" | "done" | "handed-back";
  readonly account: string;
  readonly chunk: number;
  readonly range: Chunk["range"];
  readonly totals: RelayTotals;
}

/** An account died; its chunk went back to the queue. `inFlight` lists posts it may have sent unrecorded. */
export interface AccountDeadEvent {
  readonly type: "account-dead";
  readonly account: string;
  readonly reason: string;
  readonly chunk?: number;
  readonly totals: RelayTotals;
}

/** An account sits out a flood wait: it takes no chunk and makes no request until `until` (scheduler ms). */
export interface CooldownEvent {
  readonly type: "cooldown";
  readonly account: string;
  readonly seconds: number;
  readonly until: number;
  readonly method: string;
  readonly totals: RelayTotals;
}

/** The job's run ended: every chunk done, or `stopped` early. The last event. */
export interface JobDoneEvent {
  readonly type: "done";
  readonly account: "";
  readonly stopped: boolean;
  readonly totals: RelayTotals;
}

/**
 * What schedule() reports: the relays' events (with the chunk they belong to) and its own. `totals` is
 * always the whole job's running totals (re-read chunks count their reads again).
 */
export type ScheduleEvent =
  | (Exclude<RelayEvent, { type: "done" }> & { readonly chunk: number })
  | ChunkEvent
  | AccountDeadEvent
  | CooldownEvent
  | JobDoneEvent;

const addTotals = (a: RelayTotals, b: RelayTotals): RelayTotals => {
  const out: Record<string, number> = {};
  for (const k of Object.keys(ZERO_TOTALS) as Array<keyof RelayTotals>) out[k] = a[k] + b[k];
  return out as unknown as RelayTotals;
};

// ---------------------------------------------------------------------------------------------------------
// The account gate: no request of an account leaves while it cools down.

/** Per-account cooldown shared by its source and sinks. */
export class AccountGate {
  /** Scheduler time (ms) until which the account waits; 0 when it does not. */
  private until = 0;

  constructor(
    readonly account: string,
    private readonly scheduler: SchedulerLike = asyncScheduler,
  ) {}

  /** Scheduler ms when the current cooldown ends (<= now when there is none). */
  get cooldownUntil(): number {
    return this.until;
  }

  /** Whether the account is cooling down now. */
  get cooling(): boolean {
    return this.until > this.scheduler.now();
  }

  /** Start (or lengthen) a cooldown from a FloodWait that holds the whole account. */
  hold(wait: FloodWait): void {
    if (wait.scope !== "account") return;
    const until = this.scheduler.now() + Math.max(0, wait.seconds) * 1000;
    if (until > this.until) this.until = until;
  }

  /** Completes at once when the account may send a request, else when its cooldown is over. */
  open$(): Observable<void> {
    return defer(() => {
      const left = this.until - this.scheduler.now();
      if (left <= 0) return of(undefined);
      // A cooldown lengthened meanwhile is re-checked after the timer.
      return timer(left, this.scheduler).pipe(concatMap(() => this.open$()));
    }).pipe(take(1));
  }

  /** Tell the gate about an error; returns it, for rethrowing. */
  note(err: unknown): unknown {
    if (err instanceof FloodWait) this.hold(err);
    return err;
  }

}

/**
 * The account's source behind its gate: each page request (demand) and each download waits for the
 * account's cooldown to end. A flood wait on a download or a page is sat out here (download re-subscribed,
 * reading resumed after the last post read), so it never skips a post. Other errors go on.
 */
export function gatedSource(source: Source, gate: AccountGate, maxWaitSeconds = 3600): Source {
  // A longer wait is not sat out here: the error goes on, and the scheduler hands the chunk to another account.
  const sitOut = (err: unknown): err is FloodWait =>
    err instanceof FloodWait && err.scope === "account" && err.seconds <= maxWaitSeconds;
  return {
    chatId: source.chatId,
    account: source.account,
    download: (batch) =>
      defer(() => gate.open$().pipe(concatMap(() => source.download(batch)))).pipe(
        retry({
          delay: (err: unknown) => {
            if (!sitOut(err)) return throwError(() => gate.note(err));
            gate.hold(err);
            return gate.open$().pipe(map(() => 0));
          },
        }),
      ),
    read(range, demand$) {
      return new Observable<Post>((subscriber) => {
        let lastId: number | undefined;
        let sub: Subscription | undefined;
        // After a flood wait, reading resumes past the last post with one page asked at once.
        const start = (resume: boolean): void => {
          const from: IdRange = lastId === undefined ? range : { ...range, fromId: lastId + 1 };
          const gatedDemand$ = (resume ? concat(of(0), demand$) : demand$).pipe(
            concatMap((d) => gate.open$().pipe(map(() => d))),
          );
          sub = source.read(from, gatedDemand$).subscribe({
            next: (p) => {
              lastId = p.id;
              subscriber.next(p);
            },
            error: (err) => {
              if (sitOut(err)) {
                gate.note(err);
                sub = gate.open$().subscribe(() => start(true));
              } else subscriber.error(gate.note(err));
            },
            complete: () => subscriber.complete(),
          });
        };
        start(false);
        return () => sub?.unsubscribe();
      });
    },
  };
}

/**
 * The account's source with its last pages kept: small chunks read the same GetHistory page again and
 * again, so a read inside a window read earlier is answered from it, and a read outside it reads a whole
 * window (`windowIds` ids from the read's start) at once. Windows live for seconds (the account's next
 * chunks), so their file references stay fresh; at most `keep` windows are held.
 */
export function windowedSource(source: Source, windowIds = 100, keep = 2): Source {
  interface Window {
    readonly lo: number;
    readonly hi: number;
    readonly key: string;
    readonly posts$: Observable<Post[]>;
  }
  let windows: Window[] = [];
  const dateKey = (r: IdRange): string => `${r.since ?? ""}:${r.until ?? ""}`;
  const fetchWindow = (range: IdRange & { fromId: number; toId: number }): Window => {
    const lo = range.fromId;
    const hi = Math.max(range.toId, lo + windowIds - 1);
    const wide: IdRange = { ...range, fromId: lo, toId: hi };
    // Read every page of the window: ask for the next page after each burst of posts.
    const posts$ = new Observable<Post[]>((subscriber) => {
      const demand$ = new Subject<void>();
      const got: Post[] = [];
      let check: Subscription | undefined;
      const sub = source.read(wide, demand$).subscribe({
        next: (p) => {
          got.push(p);
          check ??= asapScheduler.schedule(() => {
            check = undefined;
            demand$.next();
          });
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          subscriber.next(got);
          subscriber.complete();
        },
      });
      demand$.next();
      return () => {
        check?.unsubscribe();
        sub.unsubscribe();
      };
    }).pipe(shareReplay({ bufferSize: 1, refCount: false }));
    return { lo, hi, key: dateKey(range), posts$ };
  };
  return withBoundedRead(source, (r, demand$) =>
    defer(() => {
      let w = windows.find((x) => x.key === dateKey(r) && x.lo <= r.fromId && r.toId <= x.hi);
      if (w === undefined) {
        w = fetchWindow(r);
        windows = [w, ...windows].slice(0, keep);
      }
      const window = w;
      // A failed window is not kept: the next read tries again.
      return window.posts$.pipe(
        catchError((e: unknown) => {
          windows = windows.filter((x) => x !== window);
          return throwError(() => e);
        }),
        // The reader asks for the first page with its first demand; the rest comes with it.
        (posts$) => demand$.pipe(take(1), concatMap(() => posts$)),
        concatMap((posts) => from(posts.filter((p) => inRange(p, r)))),
      );
    }),
  );
}

/** The account's sink behind its gate: a send waits for the cooldown; a FloodWait starts one (and goes on). */
export function gatedSink(sink: Sink, gate: AccountGate): Sink {
  return {
    target: sink.target,
    needsBytes: (batch) => sink.needsBytes(batch),
    ...(sink.awaitsTurn ? { awaitsTurn: true } : {}),
    deliver: (loaded, ctx) =>
      gate.open$().pipe(
        concatMap(() => sink.deliver(loaded, ctx)),
        // relay's retryOnFloodWait re-subscribes after the wait; the gate keeps the account's other calls out.
        catchError((e: unknown) => throwError(() => gate.note(e))),
      ),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The scheduler.

/** One relay run: a chunk on an account. */
interface Run {
  readonly chunk: Chunk;
  /** Begun and not yet settled sends of the run: target -> post ids. */
  readonly begun: Map<string, Set<number>>;
  sub?: Subscription;
  /** Totals of the run so far. */
  totals: RelayTotals;
  /** A batch of the run is downloaded (or waits for its turn): the account may start another run. */
  ready: boolean;
}

interface AccountState {
  readonly account: Account;
  readonly gate: AccountGate;
  readonly source: Source;
  readonly sinks: readonly Sink[];
  dead: boolean;
  /** Runs by chunk index. */
  readonly runs: Map<number, Run>;
}

/** The journal as one run sees it: also notes which sends the run began and has not settled. */
function trackingJournal(journal: Journal, begun: Map<string, Set<number>>): Journal {
  const settle = (target: string, ids: readonly number[]): void => {
    const set = begun.get(target);
    if (set !== undefined) for (const id of ids) set.delete(id);
  };
  return {
    jobId: journal.jobId,
    isDelivered: (target, postId) => journal.isDelivered(target, postId),
    targetIdOf: (target, postId) => journal.targetIdOf(target, postId),
    begin(target, batch, account) {
      journal.begin(target, batch, account);
      let set = begun.get(target);
      if (set === undefined) begun.set(target, (set = new Set()));
      for (const p of batch.posts) set.add(p.id);
    },
    commit(batch, delivery, account) {
      journal.commit(batch, delivery, account);
      settle(delivery.target, batch.posts.map((p) => p.id));
    },
    fail(target, postIds, reason) {
      journal.fail(target, postIds, reason);
      settle(target, postIds);
    },
  };
}

/**
 * The sink of one run in strict order: a sink that `awaitsTurn` uploads first and waits for the turn just
 * before posting; for any other sink the turn is awaited before deliver().
 */
function turnSink(sink: Sink, turn: () => Observable<unknown>): Sink {
  return {
    target: sink.target,
    needsBytes: (batch) => sink.needsBytes(batch),
    ...(sink.awaitsTurn ? { awaitsTurn: true } : {}),
    deliver: (loaded, ctx) =>
      sink.awaitsTurn
        ? sink.deliver(loaded, { ...ctx, turn: turn() })
        : concat(turn().pipe(take(1), concatMap(() => EMPTY)), defer(() => sink.deliver(loaded, ctx))),
  };
}

/**
 * The chunks not yet taken, lowest first: chunks given back, then the fresh ones, made when needed (a
 * channel of millions of ids in chunks of a few is never listed whole).
 */
class ChunkQueue {
  readonly first: number;
  readonly count: number;
  private next = 0;
  private readonly back: Chunk[] = [];

  constructor(
    private readonly range: IdRange & { readonly toId: number },
    private readonly size: number,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError("chunkSize is a positive integer");
    this.first = Math.max(1, range.fromId ?? 1);
    this.count = Math.max(0, Math.ceil((range.toId - this.first + 1) / size));
  }

  private at(index: number): Chunk {
    const lo = this.first + index * this.size;
    return { index, range: { ...this.range, fromId: lo, toId: Math.min(this.range.toId, lo + this.size - 1) } };
  }

  /** The chunk holding `postId`, if it is in the range. */
  indexOf(postId: number): number | undefined {
    const i = Math.floor((postId - this.first) / this.size);
    return i >= 0 && i < this.count ? i : undefined;
  }

  get empty(): boolean {
    return this.back.length === 0 && this.next >= this.count;
  }

  /** The lowest chunk not taken. */
  peek(): Chunk | undefined {
    const fresh = this.next < this.count ? this.at(this.next) : undefined;
    const b = this.back[0];
    return b !== undefined && (fresh === undefined || b.index < fresh.index) ? b : fresh;
  }

  /** Take the lowest chunk `ok` accepts; fresh chunks it refuses are kept back for others. */
  take(ok: (c: Chunk) => boolean): Chunk | undefined {
    for (;;) {
      const i = this.back.findIndex(ok);
      const fresh = this.next < this.count ? this.at(this.next) : undefined;
      if (i >= 0 && (fresh === undefined || this.back[i]!.index < fresh.index)) return this.back.splice(i, 1)[0];
      if (fresh === undefined) return undefined;
      this.next++;
      if (ok(fresh)) return fresh;
      this.giveBack(fresh);
    }
  }

  giveBack(c: Chunk): void {
    const i = this.back.findIndex((b) => b.index > c.index);
    if (i < 0) this.back.push(c);
    else this.back.splice(i, 0, c);
  }
}

/**
 * Run a job on many accounts: chunks from a shared queue, one relay per chunk, strict or relaxed order.
 * Cold: one subscription = one run; unsubscribing cancels every account's run.
 *
 * In strict order an account runs up to `chunksPerAccount` chunks at once, so no account idles while the
 * turn is elsewhere; small chunks (a few ids) keep the uploads that follow a turn short.
 *
 * @param options accounts, journal, range (with toId), chunkSize, order, stop$, scheduler, relay options
 * @returns the job's events; ends with `{ type: "done", stopped }`, errors when every account is dead, or
 *   with the first error that is not a flood wait or a dead account (Fatal...).
 */
export function schedule(options: ScheduleOptions): Observable<ScheduleEvent> {
  return new Observable<ScheduleEvent>((subscriber) => {
    const scheduler = options.scheduler ?? asyncScheduler;
    const strict = (options.order ?? "strict") === "strict";
    const chunkSize = options.chunkSize ?? (strict ? 1 : 100);
    const lookahead = strict ? Math.max(1, options.chunksPerAccount ?? 6) : 1;
    const budgetPerRun = Math.max(1, Math.floor((options.budgetBytesPerAccount ?? 64 * 2 ** 20) / lookahead));
    const queue = new ChunkQueue(options.range, chunkSize);
    const first = queue.first;
    const turnstile = new Turnstile(0);
    const stop$ = new Subject<void>();
    let stopping = false;
    let ended = false;
    let base: RelayTotals = ZERO_TOTALS;
    const teardown: Subscription[] = [];

    const states: AccountState[] = options.accounts.map((account) => {
      const gate = new AccountGate(account.name, scheduler);
      return {
        account, gate, dead: false, runs: new Map(),
        source: albumAlignedSource(windowedSource(
          gatedSource(account.source, gate, options.relay?.maxFloodWaitSeconds ?? 3600),
          Math.max(100, chunkSize + 2 * ALBUM_MARGIN),
        )),
        sinks: account.sinks.map((s) => gatedSink(s, gate)),
      };
    });
    const byName = new Map(states.map((s) => [s.account.name, s]));

    // Chunks holding a send begun and not committed go to the account that began it (same random ids).
    const affinity = new Map<number, string>();
    type Flying = { postId: number; account: string; target: string; seq: number };
    const flying = (options.journal as { inFlight?: () => readonly Flying[] }).inFlight?.() ?? [];
    // A batch's rows share (target, account, seq); it belongs to the chunk of its first post.
    const firstOfBatch = new Map<string, Flying>();
    for (const f of flying) {
      const k = `${f.target}\u0000${f.account}\u0000${f.seq}`;
      const seen = firstOfBatch.get(k);
      if (seen === undefined || f.postId < seen.postId) firstOfBatch.set(k, f);
    }
    for (const f of [...firstOfBatch.values()].sort((a, b) => a.postId - b.postId)) {
      const c = queue.indexOf(f.postId);
      if (c !== undefined && byName.has(f.account) && !affinity.has(c)) affinity.set(c, f.account);
    }

    const allRuns = (): Array<[AccountState, Run]> => states.flatMap((s) => [...s.runs.values()].map((r) => [s, r] as [AccountState, Run]));
    const totals = (): RelayTotals => allRuns().reduce((t, [, r]) => addTotals(t, r.totals), base);
    const emit = (e: ScheduleEvent): void => {
      if (!ended) subscriber.next(e);
    };
    const chunkEvent = (phase: ChunkEvent["phase"], s: AccountState, c: Chunk): void =>
      emit({ type: "chunk", phase, account: s.account.name, chunk: c.index, range: c.range, totals: totals() });
    const eligible = (s: AccountState, c: Chunk): boolean => {
      const a = affinity.get(c.index);
      return a === undefined || a === s.account.name || byName.get(a)!.dead;
    };
    // Several runs per account let its transfers for later chunks overlap the posting of earlier ones. A
    // new run waits until the others have a batch downloaded: the account's pipe then carries the earlier
    // chunks' uploads before the later chunks' downloads, and the chunk whose turn comes next is not
    // stuck behind prefetching.
    const canTake = (s: AccountState): boolean =>
      !s.dead && !s.gate.cooling && s.runs.size < lookahead && [...s.runs.values()].every((r) => r.ready);

    const finishIfDone = (): void => {
      if (ended || allRuns().length > 0) return;
      if (queue.empty || stopping) {
        emit({ type: "done", account: "", stopped: !queue.empty, totals: totals() });
        ended = true;
        subscriber.complete();
        return;
      }
      if (states.every((s) => s.dead)) {
        ended = true;
        subscriber.error(new AccountDead("*", "every account of the job is unusable"));
      }
    };

    const endRun = (s: AccountState, r: Run): void => {
      if (s.runs.get(r.chunk.index) !== r) return;
      s.runs.delete(r.chunk.index);
      base = addTotals(base, r.totals);
      r.sub?.unsubscribe();
    };

    // A run cancelled before its turn posted nothing: its begun sends are not in flight.
    const cancelUnopened = (s: AccountState, r: Run): void => {
      endRun(s, r);
      const abandon = (options.journal as { abandon?: (target: string, ids: readonly number[]) => void }).abandon;
      if (abandon !== undefined) for (const [target, ids] of r.begun) abandon.call(options.journal, target, [...ids]);
      r.begun.clear();
    };

    const handBack = (c: Chunk): void => {
      queue.giveBack(c);
    };

    const fail = (err: unknown): void => {
      if (ended) return;
      ended = true;
      for (const [s, r] of allRuns()) endRun(s, r);
      subscriber.error(err);
    };

    const start = (s: AccountState, c: Chunk): void => {
      const run: Run = { chunk: c, totals: ZERO_TOTALS, begun: new Map(), ready: false };
      s.runs.set(c.index, run);
      chunkEvent("start", s, c);
      const turn = (): Observable<unknown> =>
        defer(() => {
          if (!run.ready) {
            run.ready = true;
            scheduler.schedule(() => dispatch());
          }
          return turnstile.wait(c.index);
        });
      const only = options.onlyIds;
      const userFilter = options.relay?.filter;
      const filterPost = only === undefined ? userFilter
        : (p: Post) => (only.has(p.id) ? (userFilter?.(p) ?? true) : "not asked for");
      const run$ = relay({
        ...options.relay,
        ...(filterPost === undefined ? {} : { filter: filterPost }),
        source: s.source,
        sinks: strict ? s.sinks.map((k) => turnSink(k, turn)) : s.sinks,
        journal: trackingJournal(options.journal, run.begun),
        range: c.range,
        stop$,
        scheduler,
        budget: new ByteBudget(budgetPerRun),
        account: s.account.name,
        seqBase: c.range.fromId - first,
      });
      const sub = run$.subscribe({
        next: (e) => {
          run.totals = e.totals;
          // The run's last totals (settled counts land after the last send event) come with its done.
          if (e.type === "done") return;
          if (e.type === "downloaded" && !run.ready) {
            run.ready = true;
            scheduler.schedule(() => dispatch());
          }
          if (e.type === "flood-wait" && e.account === s.account.name) {
            emit({ type: "cooldown", account: e.account, seconds: e.seconds, until: e.until, method: e.method, totals: totals() });
          }
          emit({ ...e, chunk: c.index, totals: totals() } as ScheduleEvent);
        },
        error: (err) => {
          endRun(s, run);
          if (err instanceof AccountDead) {
            if (!s.dead) {
              s.dead = true;
              emit({ type: "account-dead", account: s.account.name, reason: err.reason, chunk: c.index, totals: totals() });
            }
            handBack(c);
            chunkEvent("handed-back", s, c);
            // Its other runs would fail too: they go back now (they wait for a turn, so posted nothing).
            for (const other of [...s.runs.values()]) {
              if (strict && turnstile.isOpen(other.chunk.index)) endRun(s, other);
              else cancelUnopened(s, other);
              handBack(other.chunk);
              chunkEvent("handed-back", s, other.chunk);
            }
            dispatch();
          } else if (err instanceof FloodWait && err.scope === "account") {
            // A wait longer than the relay sits out: the chunk goes to another account, this one cools down.
            s.gate.hold(err);
            handBack(c);
            emit({ type: "cooldown", account: s.account.name, seconds: err.seconds, until: s.gate.cooldownUntil, method: err.method, totals: totals() });
            chunkEvent("handed-back", s, c);
            // Its runs still waiting for their turn would sit out the wait too: the others take them.
            for (const other of [...s.runs.values()]) {
              if (strict && turnstile.isOpen(other.chunk.index)) continue;
              cancelUnopened(s, other);
              handBack(other.chunk);
              chunkEvent("handed-back", s, other.chunk);
            }
            wakeAfterCooldown(s);
            dispatch();
          } else {
            fail(err);
          }
        },
        complete: () => {
          endRun(s, run);
          // A graceful stop may have cut the chunk short: it stays undone (the next run resumes it).
          if (!stopping) {
            turnstile.done(c.index);
            chunkEvent("done", s, c);
          }
          if (s.gate.cooling) wakeAfterCooldown(s);
          dispatch();
        },
      });
      if (s.runs.get(c.index) === run) run.sub = sub;
      else sub.unsubscribe();
    };

    const wakeAfterCooldown = (s: AccountState): void => {
      teardown.push(s.gate.open$().subscribe({ complete: () => dispatch() }));
    };

    // Strict order: the chunk whose turn it is must get an account. If none can take it, preempt the run
    // of a later chunk that waits for its turn (nothing of it was posted). Without this, a handed-back
    // chunk could wait forever behind runs that wait for it.
    const preemptFor = (c: Chunk): boolean => {
      const victims = allRuns()
        .filter(([s, r]) => !s.dead && !s.gate.cooling && eligible(s, c) && !turnstile.isOpen(r.chunk.index))
        .sort(([, a], [, b]) => b.chunk.index - a.chunk.index);
      const v = victims[0];
      if (v === undefined) return false;
      const [s, r] = v;
      cancelUnopened(s, r);
      handBack(r.chunk);
      chunkEvent("handed-back", s, r.chunk);
      return true;
    };

    let dispatching = false;
    const dispatch = (): void => {
      if (dispatching || ended) return;
      dispatching = true;
      try {
        for (let progress = true; progress && !stopping && !ended; ) {
          progress = false;
          for (const s of states) {
            if (!canTake(s)) continue;
            const c = queue.take((k) => eligible(s, k));
            if (c === undefined) continue;
            start(s, c);
            progress = true;
          }
          const blocker = queue.peek();
          if (strict && !progress && blocker !== undefined && blocker.index === turnstile.current) {
            const free = states.some((s) => canTake(s) && eligible(s, blocker));
            if (!free && preemptFor(blocker)) progress = true;
          }
        }
      } finally {
        dispatching = false;
      }
      finishIfDone();
    };

    if (options.stop$ !== undefined) {
      teardown.push(options.stop$.pipe(take(1)).subscribe(() => {
        stopping = true;
        // Runs whose chunk may not post yet have posted nothing: cancel them; the others finish their batch.
        for (const [s, r] of allRuns()) {
          if (strict && !turnstile.isOpen(r.chunk.index)) {
            cancelUnopened(s, r);
            handBack(r.chunk);
          }
        }
        stop$.next();
        finishIfDone();
      }));
    }

    dispatch();

    return () => {
      ended = true;
      for (const [s, r] of allRuns()) endRun(s, r);
      for (const t of teardown) t.unsubscribe();
    };
  });
}
