/**
 * One account's pipeline: read posts of a range, download what the targets need (concurrently, in
 * order, within a byte budget), send batches one at a time in source order, commit each to the journal.
 */
import {
  asyncScheduler, concatMap, catchError, defer, EMPTY, filter, ignoreElements, map,
  Observable, of, ReplaySubject, retry as retryWhen, Subject, take, takeUntil, throwError, throwIfEmpty, timer,
  type SchedulerLike, type Subscription,
} from "rxjs";
import { batchBytes, batchIds, batchOf, MAX_ALBUM_SIZE, type Batch } from "../model/batch.js";
import type { Loaded } from "../model/loaded.js";
import type { IdRange, Post } from "../model/post.js";
import { SkipPost, Transient } from "../model/errors.js";
import type { DeliverContext, Delivery, Journal, Sink, Source } from "../ports.js";
import { bufferByMediaGroup } from "../operators/bufferByMediaGroup.js";
import { ByteBudget, type BudgetPermit } from "../operators/byteBudget.js";
import { orderedMergeMap } from "../operators/orderedMergeMap.js";
import { pullPages } from "../operators/pullPages.js";
import { FloodWaitInterrupted, retryOnFloodWait } from "../operators/retryOnFloodWait.js";
import { ZERO_TOTALS, type RelayEvent, type RelayTotals } from "./events.js";

export interface RelayOptions {
  readonly source: Source;
  /** Targets, each gets every batch, in this order. At least one. */
  readonly sinks: readonly Sink[];
  readonly journal: Journal;
  readonly range: IdRange;
  /** Batches downloading, or downloaded and waiting to be emitted in order. Default 4. */
  readonly concurrency?: number;
  /** Bytes downloaded but not yet sent, at most (one bigger batch goes alone). Default 64 MiB. */
  readonly budgetBytes?: number;
  /** A budget shared with other runs of the same account; wins over budgetBytes. */
  readonly budget?: ByteBudget;
  /**
   * Batches downloading, downloaded or being sent, at most; bounds the read-ahead when batches have
   * no bytes to count (text posts, forwards). Default 2 * concurrency + 1.
   */
  readonly window?: number;
  /** First value: graceful stop. No new batch starts downloading; started ones are sent; then done. */
  readonly stop$?: Observable<unknown>;
  /** Flood waits and the album idle timer run here. Default asyncScheduler. */
  readonly scheduler?: SchedulerLike;
  /** Longest flood wait sat out; a longer one errors the run. Default 3600. */
  readonly maxFloodWaitSeconds?: number;
  /** Flood-wait retries per batch and target. Default 5. */
  readonly maxRetries?: number;
  /**
   * Retries of a Transient fault (a timeout, a dropped connection, an internal server error) per download
   * and per batch and target, before the batch is recorded as failed. Re-sending is safe: random ids are
   * fixed per post, so a send that did land is recognised as a duplicate. Default 2.
   */
  readonly transientRetries?: number;
  /** Wait before the first Transient retry, doubled for each next one. Default 500 ms. */
  readonly transientBackoffMs?: number;
  /** Per post, before grouping: true keeps it, a string is the skip reason. */
  readonly filter?: (post: Post) => true | string;
  /** Per post, after filter, before grouping. */
  readonly edit?: (post: Post) => Post;
  /** Per batch (an album whole): a string skips it with that reason. */
  readonly skip?: (batch: Batch) => string | undefined;
  /** Per batch, after skip, before download (e.g. caption edits). Must keep the posts' ids. */
  readonly transform?: (batch: Batch) => Batch;
  /** Turnstile: the batch's delivery waits for the first value (or completion). Once per batch. */
  readonly beforeSend?: (batch: Batch) => Observable<unknown>;
  /** Once per batch, after the last sink (also when it was skipped or failed). */
  readonly afterSend?: (batch: Batch) => void;
  /** Batch.seq = seqBase + index of the batch in this run. Default 0. */
  readonly seqBase?: number;
  /** The account running; default source.account. */
  readonly account?: string;
  /** Largest album. Default 10. */
  readonly maxAlbumSize?: number;
  /** Flush an album idle this long (live sources). */
  readonly albumIdleMs?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type EventBody = DistributiveOmit<RelayEvent, "account" | "totals"> & { account?: string };

/** A batch on its way from download to send, with what it holds. */
interface InFlight {
  readonly batch: Batch;
  readonly permit: BudgetPermit;
  /** Its place in the window of batches in flight. */
  readonly place: BudgetPermit;
  loaded: Loaded;
  /** Its post ids, and its downloaded bytes. */
  readonly ids: readonly number[];
  bytes: number;
  /** The download failed with SkipPost or Transient: sinks that need bytes record it. */
  error?: unknown;
}

const DEFAULT_BUDGET = 64 * 2 ** 20;

/**
 * The first Delivery of `deliver$`, handed to `onSent`, then complete; an error goes to `onProblem`,
 * which says whether it was recorded (complete, the run goes on) or not (error). One operator instead of
 * take(1) + throwIfEmpty + tap + ignoreElements + catchError, as this runs once per batch and target.
 */
function firstDelivery(
  deliver$: Observable<Delivery>, label: string, onSent: (d: Delivery) => void, onProblem: (err: unknown) => boolean,
): Observable<never> {
  return new Observable<never>((subscriber) => {
    let got = false;
    const fail = (err: unknown) => {
      let recorded = false;
      try {
        recorded = onProblem(err);
      } catch (e) {
        err = e;
      }
      if (recorded) subscriber.complete();
      else subscriber.error(err);
    };
    return deliver$.subscribe({
      next: (d) => {
        if (got) return;
        got = true;
        try {
          onSent(d);
        } catch (err) {
          subscriber.error(err);
          return;
        }
        subscriber.complete();
      },
      error: fail,
      complete: () => {
        if (!got) fail(new Transient(`delivery of ${label} gave nothing`, "empty delivery"));
      },
    });
  });
}

/**
 * Run `steps` one after another, each subscribed when the one before completed, then `done`; `always`
 * on completion, error and unsubscribe. A lean `concat(defer...)` + `finalize`: it runs once per batch.
 */
function sequence(
  steps: ReadonlyArray<() => Observable<never>>, done: () => void, always: () => void,
): Observable<never> {
  return new Observable<never>((subscriber) => {
    let i = 0;
    let current: Subscription | undefined;
    const run = (): void => {
      // A loop, not recursion, for steps that complete synchronously.
      while (i < steps.length && !subscriber.closed) {
        const step = steps[i++]!;
        let sync = true;
        let completedSync = false;
        try {
          current = step().subscribe({
            error: (err) => subscriber.error(err),
            complete: () => {
              if (sync) completedSync = true;
              else run();
            },
          });
        } catch (err) {
          subscriber.error(err);
          return;
        }
        sync = false;
        if (!completedSync) return;
      }
      if (subscriber.closed) return;
      try {
        done();
      } catch (err) {
        subscriber.error(err);
        return;
      }
      subscriber.complete();
    };
    run();
    return () => {
      current?.unsubscribe();
      always();
    };
  });
}

/** A Loaded without bytes, for targets that send by reference. */
export function withoutBytes(batch: Batch): Loaded {
  return { batch, files: [], memoryBytes: 0, release: () => Promise.resolve() };
}

/**
 * Relay one range of a source to the sinks, as one account.
 *
 * ```
 * Source.read (pull) -> skip delivered -> filter/edit -> bufferByMediaGroup -> skip/transform -> seq
 *   -> orderedMergeMap(budget.take -> download, concurrency)
 *   -> concatMap(beforeSend, per sink: begin, deliver + retryOnFloodWait, commit; afterSend)
 *   -> release
 * ```
 *
 * @param options Ports, range and knobs (see RelayOptions).
 * @returns A cold Observable of progress events; it ends with a "done" event and completes, or errors
 * with a Fatal, AccountDead, a FloodWait over the limits or any unexpected error. Unsubscribing cancels.
 */
export function relay(options: RelayOptions): Observable<RelayEvent> {
  return new Observable<RelayEvent>((subscriber) => {
    const { source, sinks, journal, range } = options;
    if (sinks.length === 0) throw new RangeError("relay: at least one sink");
    const account = options.account ?? source.account;
    const scheduler = options.scheduler ?? asyncScheduler;
    const concurrency = options.concurrency ?? 4;
    const maxAlbumSize = options.maxAlbumSize ?? MAX_ALBUM_SIZE;
    const budget = options.budget ?? new ByteBudget(options.budgetBytes ?? DEFAULT_BUDGET);
    // A count semaphore: one unit per batch from download start to the end of its send.
    const window = new ByteBudget(options.window ?? 2 * concurrency + 1);
    const retry = {
      maxWaitSeconds: options.maxFloodWaitSeconds ?? 3600,
      maxRetries: options.maxRetries ?? 5,
      scheduler,
    };
    const transientRetries = options.transientRetries ?? 2;
    const backoffMs = options.transientBackoffMs ?? 500;
    // A Transient fault is tried again a few times, after a growing pause, before it counts as a failure.
    const retryTransient = <T>(source: Observable<T>): Observable<T> =>
      transientRetries < 1
        ? source
        : source.pipe(
            retryWhen<T>({
              count: transientRetries,
              delay: (err: unknown, attempt: number) =>
                err instanceof Transient ? timer(backoffMs * 2 ** (attempt - 1), scheduler) : throwError(() => err),
            }),
          );

    // Running totals; every event carries a copy.
    const t: Mutable<RelayTotals> = { ...ZERO_TOTALS };
    // Batches holding a permit (and maybe bytes), released on teardown if still here.
    const held = new Set<InFlight>();
    // Posts the pipeline took from the read-ahead (dropped, or their batch entered a download slot).
    const consumed$ = new Subject<number>();
    // Next batch index, and whether a graceful stop came.
    let seq = options.seqBase ?? 0;
    let stopping = false;
    // A graceful stop cut a flood wait short: that batch and every later one stay unsent (in order).
    let halted = false;

    // A literal, not a spread: this runs several times per post.
    const snapshot = (): RelayTotals => ({
      read: t.read, batches: t.batches, settled: t.settled, sent: t.sent, skipped: t.skipped, failed: t.failed,
      bytesDownloaded: t.bytesDownloaded, bytesSent: t.bytesSent, floodWaits: t.floodWaits,
      floodWaitSeconds: t.floodWaitSeconds,
    });
    const emit = (e: EventBody) => {
      const event = e as Mutable<RelayEvent> & { account?: string };
      if (event.account === undefined) event.account = account;
      event.totals = snapshot();
      subscriber.next(event as RelayEvent);
    };

    const skipped = (postIds: readonly number[], reason: string, target?: string, batchSeq?: number) => {
      t.skipped += postIds.length;
      const e: Mutable<EventBody & { type: "skipped" }> = { type: "skipped", postIds, reason };
      if (target !== undefined) e.target = target;
      if (batchSeq !== undefined) e.seq = batchSeq;
      emit(e);
    };

    /**
     * SkipPost and Transient are the batch's problem for this target: recorded, the run goes on (true).
     * Anything else ends the run (false).
     */
    const recordProblem = (err: unknown, item: InFlight, target: string): boolean => {
      const { ids, batch } = item;
      if (err instanceof FloodWaitInterrupted) {
        // Nothing new was sent after the wait began; the next run sends this batch (same random ids).
        journal.abandon?.(target, ids);
        halted = true;
        return true;
      }
      if (err instanceof SkipPost) {
        journal.fail(target, ids, err.reason);
        skipped(ids, err.reason, target, batch.seq);
        return true;
      }
      if (err instanceof Transient) {
        journal.fail(target, ids, err.reason);
        t.failed += ids.length;
        emit({ type: "failed", seq: batch.seq, postIds: ids, reason: err.reason, target });
        return true;
      }
      return false;
    };

    const keep = (post: Post): boolean => {
      t.read++;
      emit({ type: "read", postId: post.id });
      let everywhere = true;
      for (const s of sinks) if (!journal.isDelivered(s.target, post.id)) { everywhere = false; break; }
      if (everywhere) {
        t.settled++;
        skipped([post.id], "already delivered");
        consumed$.next(1);
        return false;
      }
      const verdict = options.filter ? options.filter(post) : true;
      if (verdict !== true) {
        t.settled++;
        skipped([post.id], verdict);
        consumed$.next(1);
        return false;
      }
      return true;
    };

    const toBatch = (posts: Post[]): Batch | undefined => {
      const candidate = batchOf(posts, seq);
      const reason = options.skip?.(candidate);
      if (reason !== undefined) {
        t.settled += posts.length;
        skipped(batchIds(candidate), reason);
        consumed$.next(posts.length);
        return undefined;
      }
      seq++;
      return options.transform ? options.transform(candidate) : candidate;
    };

    /** Downloaded (or not needed): count it, tell it. */
    const loadedIn = (item: InFlight, loaded: Loaded): InFlight => {
      item.loaded = loaded;
      let bytes = 0;
      for (const f of loaded.files) bytes += f.size;
      item.bytes = bytes;
      t.bytesDownloaded += bytes;
      emit({ type: "downloaded", seq: item.batch.seq, postIds: item.ids, bytes });
      return item;
    };

    const download = (batch: Batch, needs: boolean, place: BudgetPermit, permit: BudgetPermit): Observable<InFlight> => {
      const item: InFlight = { batch, ids: batchIds(batch), permit, place, loaded: withoutBytes(batch), bytes: 0 };
      held.add(item);
      if (!needs) return of(loadedIn(item, item.loaded));
      return retryTransient(defer(() => source.download(batch)).pipe(
        take(1),
        throwIfEmpty(() => new Transient(`download of batch ${batch.seq} gave nothing`, "empty download")),
      )).pipe(
        map((loaded) => loadedIn(item, loaded)),
        catchError((err: unknown) => {
          if (!(err instanceof SkipPost || err instanceof Transient)) return throwError(() => err);
          item.error = err;
          return of(item);
        }),
      );
    };

    // orderedMergeMap calls this when the batch gets its slot: already lazy, no defer needed.
    const load = (batch: Batch): Observable<InFlight> => {
      consumed$.next(batch.posts.length);
      // After a graceful stop nothing new starts; what started before is sent.
      if (stopping) return EMPTY;
      t.batches++;
      let needs = false;
      for (const s of sinks) if (s.needsBytes(batch)) { needs = true; break; }
      const bytes = needs ? batchBytes(batch) : 0;
      // Fast path: a place in the window and the bytes are free now.
      const place = window.tryTake(1);
      const permit = place && budget.tryTake(bytes);
      if (place && permit) return download(batch, needs, place, permit);
      return (place ? of(place) : window.take(1)).pipe(
        concatMap((p) => budget.take(bytes).pipe(concatMap((b) => download(batch, needs, p, b)))),
      );
    };

    // Watched for the whole run (not only while reading): a stop after the last page still keeps
    // batches that have not started from starting.
    const stop$ = new ReplaySubject<void>(1);
    const watchingStop = options.stop$?.pipe(take(1)).subscribe(() => {
      stopping = true;
      stop$.next();
    });

    /** Per sink: the flood-wait retry, built once (sends to one sink are serial, so `current` is the batch). */
    const senders = sinks.map((sink) => {
      let current: Batch | undefined;
      const retrying = retryOnFloodWait<Delivery>({
        ...retry,
        interrupt$: stop$,
        onWait: (e, attempt) => {
          t.floodWaits++;
          t.floodWaitSeconds += e.seconds;
          emit({
            type: "flood-wait", account: e.account || account, method: e.method, seconds: e.seconds,
            until: scheduler.now() + e.seconds * 1000, attempt, seq: current?.seq ?? -1, target: sink.target,
          });
        },
      });
      const ctx: DeliverContext = {
        jobId: journal.jobId,
        replyTarget: (id) => journal.targetIdOf(sink.target, id),
        account,
      };
      const sent = (item: InFlight, delivery: Delivery, needs: boolean) => {
        const { batch } = item;
        journal.commit(batch, delivery, account);
        const left = delivery.skipped ?? [];
        const bytes = needs ? item.bytes : 0;
        t.sent += batch.posts.length - left.length;
        t.bytesSent += bytes;
        // "sent" names only the posts that went: those the sink left out get their "skipped" below, and a
        // batch the sink left out whole (skip-protected) gets no "sent" at all.
        const leftIds = new Set(left.map((l) => l.postId));
        const postIds = leftIds.size === 0 ? item.ids : item.ids.filter((id) => !leftIds.has(id));
        if (postIds.length > 0) {
          emit({
            type: "sent", seq: batch.seq, target: sink.target, postIds,
            strategy: delivery.strategy, ids: delivery.ids, duplicate: delivery.duplicate ?? false,
            bytes, warnings: delivery.warnings ?? [],
          });
        }
        for (const l of left) skipped([l.postId], l.reason, sink.target, batch.seq);
      };
      const label = `a batch to ${sink.target}`;
      return (item: InFlight): Observable<never> => {
        const { batch, loaded } = item;
        const needs = sink.needsBytes(batch);
        if (item.error !== undefined && needs) {
          return recordProblem(item.error, item, sink.target) ? EMPTY : throwError(() => item.error);
        }
        let all = true;
        for (const p of batch.posts) if (!journal.isDelivered(sink.target, p.id)) { all = false; break; }
        if (all) {
          skipped(item.ids, "already delivered", sink.target, batch.seq);
          return EMPTY;
        }
        journal.begin(sink.target, batch, account);
        current = batch;
        return firstDelivery(
          retryTransient(defer(() => sink.deliver(loaded, ctx)).pipe(retrying)), label,
          (d) => sent(item, d, needs), (err) => recordProblem(err, item, sink.target),
        );
      };
    });

    const deliver = (item: InFlight): Observable<never> => {
      const { batch } = item;
      const steps: Array<() => Observable<never>> = [];
      const { beforeSend } = options;
      if (beforeSend) steps.push(() => (halted ? EMPTY : beforeSend(batch).pipe(take(1), ignoreElements())));
      for (const send of senders) steps.push(() => (halted ? EMPTY : send(item)));
      return sequence(
        steps,
        () => {
          // A halted batch is not settled and does not pass the turnstile: later chunks wait, and are cancelled.
          if (halted) return;
          t.settled += batch.posts.length;
          options.afterSend?.(batch);
        },
        () => release(item),
      );
    };

    const release = (item: InFlight) => {
      if (!held.delete(item)) return;
      item.loaded.release().catch(() => undefined);
      item.permit.release();
      item.place.release();
    };


    const run = pullPages((demand$) => source.read(range, demand$), consumed$, {
      // Slots and the window already pull what they can hold; beyond that, read ahead one album,
      // so an album left open by a page border always gets its next page.
      lowWater: maxAlbumSize,
      ...(options.scheduler ? { scheduler: options.scheduler } : {}),
    })
      .pipe(
        filter(keep),
        map((post) => (options.edit ? options.edit(post) : post)),
        bufferByMediaGroup((p: Post) => p.groupedId, {
          maxSize: maxAlbumSize,
          ...(options.albumIdleMs !== undefined ? { maxWaitMs: options.albumIdleMs } : {}),
          scheduler,
        }),
        // A graceful stop lands on a batch border: an open album is dropped whole, never sent in part.
        takeUntil(stop$),
        map(toBatch),
        filter((b): b is Batch => b !== undefined),
        orderedMergeMap(load, concurrency),
        concatMap(deliver),
      )
      .subscribe({
        error: (err) => subscriber.error(err),
        complete: () => {
          emit({ type: "done", stopped: stopping });
          subscriber.complete();
        },
      });

    return () => {
      watchingStop?.unsubscribe();
      run.unsubscribe();
      for (const item of [...held]) release(item);
      consumed$.complete();
    };
  });
}
