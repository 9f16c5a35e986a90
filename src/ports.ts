/**
 * The seams of the pipeline. The pipeline (src/pipeline) only knows these interfaces; adapters implement
 * them: telegram/ (a real account), archive/ (a local folder), imports/ (exported histories), journal/
 * (durable state). Tests swap them for cold() observables.
 */
import type { Observable } from "rxjs";
import type { Batch, IdRange, Loaded, Post } from "./model/index.js";

/** How a batch reaches a target. */
export type Strategy = "forward" | "copy" | "reupload" | "archive";

/** A chat, or an archive/export, to read posts from. One instance per account. */
export interface Source {
  /** Stable key of the source chat (the same for every account), e.g. "-1001234567890". */
  readonly chatId: string;
  /** The account this source reads with ("" for sources that need none, e.g. an export). */
  readonly account: string;
  /**
   * Posts of `range`, oldest first, service messages left out. Cold and lazy: nothing is read before
   * subscription, and each value on `demand$` asks for one more page (the first page is read on the first
   * demand). Completes after the last page. Unsubscribing stops reading.
   */
  read(range: IdRange, demand$: Observable<unknown>): Observable<Post>;
  /**
   * Download the media of every post of `batch` that has any. Cold: the transfer starts on subscription and
   * unsubscribing aborts it (and removes partial temp files). Emits one Loaded, then completes.
   */
  download(batch: Batch): Observable<Loaded>;
}

/** What the sink needs to deliver a batch: which posts were already delivered, reply targets, ids. */
export interface DeliverContext {
  /** Job id, part of every random id so a resend after a crash is recognised. */
  readonly jobId: string;
  /** The target's message id of an earlier-delivered source post (for replies), if any. */
  readonly replyTarget: (sourcePostId: number) => number | undefined;
  /** The account sending (also the one that read the batch). */
  readonly account: string;
  /**
   * Strict order across accounts: when set, the sink does everything that does not post (uploads) first,
   * then waits for the first value (or completion) of `turn`, then sends. Only given to sinks with
   * `awaitsTurn`; for others the caller waits for the turn before deliver().
   */
  readonly turn?: Observable<unknown>;
}

/** The outcome of delivering one batch to one target. */
export interface Delivery {
  readonly target: string;
  readonly strategy: Strategy;
  /** Target message ids per source post id, in batch order. */
  readonly ids: ReadonlyMap<number, readonly number[]>;
  /** True when the target already had the batch (e.g. RANDOM_ID_DUPLICATE after a crash). */
  readonly duplicate?: boolean;
  /** Posts of the batch that were left out, with the reason (e.g. protected and skip-protected is set). */
  readonly skipped?: ReadonlyArray<{ readonly postId: number; readonly reason: string }>;
  /** Notices worth telling the user (e.g. a reply sent without its link, a caption cut to the limit). */
  readonly warnings?: readonly string[];
}

/** A target: a channel through one account, or a local archive folder. */
export interface Sink {
  /** Stable key of the target, e.g. "-1009876543210" or "dir:/backups/x". */
  readonly target: string;
  /** Whether delivering this batch needs its bytes downloaded first (reupload, archive). */
  needsBytes(batch: Batch): boolean;
  /** The sink honours DeliverContext.turn (uploads before its turn, posts after). */
  readonly awaitsTurn?: boolean;
  /** Deliver one batch. Cold; unsubscribing aborts (a send in flight may still land: random ids make a retry safe). */
  deliver(loaded: Loaded, ctx: DeliverContext): Observable<Delivery>;
}

/** Durable state of one job: what is delivered where. */
export interface Journal {
  readonly jobId: string;
  /** Whether `postId` is already delivered to `target`. */
  isDelivered(target: string, postId: number): boolean;
  /** Target message ids of a delivered post (first id), for replies. */
  targetIdOf(target: string, postId: number): number | undefined;
  /** Record that a batch is being sent by `account` to `target` (before the send). */
  begin(target: string, batch: Batch, account: string): void;
  /** Record a successful delivery; durable when this returns. */
  commit(batch: Batch, delivery: Delivery, account: string): void;
  /** Record a failure with its reason. */
  fail(target: string, postIds: readonly number[], reason: string): void;
  /** Forget begun sends that were not made (a stop during a flood wait); optional. */
  abandon?(target: string, postIds: readonly number[]): void;
}
