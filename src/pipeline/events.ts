/**
 * What one account's relay reports while it runs. The stream of these events is the only output of
 * `relay()`: every event carries the running `totals`, so a progress display (or a log) is a plain
 * subscriber and needs no other state.
 */
import type { Strategy } from "../ports.js";

/** Running counts of one relay run; each event carries a snapshot. */
export interface RelayTotals {
  /** Posts read from the source. */
  readonly read: number;
  /** Batches formed (single posts and albums) and handed to download. */
  readonly batches: number;
  /** Posts whose fate is settled: sent to every sink, already there, skipped or failed. */
  readonly settled: number;
  /** (post, target) deliveries that succeeded, duplicates included. */
  readonly sent: number;
  /** Posts skipped (filter, already delivered everywhere, SkipPost), counted once per skipped event and post. */
  readonly skipped: number;
  /** Posts that failed (a Transient fault the adapter gave up on), once per failed event and post. */
  readonly failed: number;
  /** Bytes downloaded (sum of LoadedFile.size). */
  readonly bytesDownloaded: number;
  /** Bytes delivered: the downloaded bytes of each batch, once per target that needed them. */
  readonly bytesSent: number;
  /** Flood waits sat out, and their seconds. */
  readonly floodWaits: number;
  readonly floodWaitSeconds: number;
}

interface EventBase {
  /** The account running this relay. */
  readonly account: string;
  /** Totals after this event. */
  readonly totals: RelayTotals;
}

/** A post was read from the source. */
export interface ReadEvent extends EventBase {
  readonly type: "read";
  readonly postId: number;
}

/** A batch's bytes are in (or, when no sink needs bytes, the batch passed the download stage with 0 bytes). */
export interface DownloadedEvent extends EventBase {
  readonly type: "downloaded";
  readonly seq: number;
  readonly postIds: readonly number[];
  readonly bytes: number;
}

/** A batch reached one target. */
export interface SentEvent extends EventBase {
  readonly type: "sent";
  readonly seq: number;
  readonly target: string;
  readonly postIds: readonly number[];
  readonly strategy: Strategy;
  /** Target message ids per source post id. */
  readonly ids: ReadonlyMap<number, readonly number[]>;
  /** The target already had it (e.g. RANDOM_ID_DUPLICATE after a crash). */
  readonly duplicate: boolean;
  readonly bytes: number;
  readonly warnings: readonly string[];
}

/** Posts left out, with the reason. `target` is set when only that target skipped them. */
export interface SkippedEvent extends EventBase {
  readonly type: "skipped";
  readonly postIds: readonly number[];
  readonly reason: string;
  readonly target?: string;
  /** Set when the posts had formed a batch already. */
  readonly seq?: number;
}

/** A batch could not be delivered to a target (or downloaded, then `target` is unset); the run goes on. */
export interface FailedEvent extends EventBase {
  readonly type: "failed";
  readonly seq: number;
  readonly postIds: readonly number[];
  readonly reason: string;
  readonly target?: string;
}

/** The account sits out a flood wait before it re-sends the batch (the whole album). */
export interface FloodWaitEvent extends EventBase {
  readonly type: "flood-wait";
  /** (`account` is the one Telegram asked to wait, from the FloodWait error.) */
  readonly method: string;
  readonly seconds: number;
  /** Scheduler time (ms since epoch, `scheduler.now()`) when the wait ends and the batch is re-sent. */
  readonly until: number;
  /** 1 for the first retry of this batch to this target. */
  readonly attempt: number;
  readonly seq: number;
  readonly target: string;
}

/** The run ended normally; `stopped` when a graceful stop ended it early. The last event. */
export interface DoneEvent extends EventBase {
  readonly type: "done";
  readonly stopped: boolean;
}

export type RelayEvent =
  | ReadEvent
  | DownloadedEvent
  | SentEvent
  | SkippedEvent
  | FailedEvent
  | FloodWaitEvent
  | DoneEvent;

export type RelayEventType = RelayEvent["type"];

export const ZERO_TOTALS: RelayTotals = Object.freeze({
  read: 0, batches: 0, settled: 0, sent: 0, skipped: 0, failed: 0,
  bytesDownloaded: 0, bytesSent: 0, floodWaits: 0, floodWaitSeconds: 0,
});
