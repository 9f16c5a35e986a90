import type { Journal } from "../ports.js";
import type { JobSpec } from "./job.js";

/** A batch that was begun and not committed: after a crash it is resent by the same account. */
export interface InFlight {
  readonly target: string;
  readonly postId: number;
  readonly account: string;
  /** How many times a send was begun (1 on the first try). */
  readonly attempt: number;
  /** The batch's seq when it was begun. */
  readonly seq: number;
}

/** A recorded failure: what `tgrelay retry` retries. One row per (target, post), whatever the retries. */
export interface Failure {
  readonly target: string;
  readonly postId: number;
  readonly reason: string;
  /** Failed attempts so far. */
  readonly attempts: number;
  /** The account of the last attempt, when known. */
  readonly account?: string;
  /** Unix milliseconds of the last failure. */
  readonly at: number;
}

/** Progress of one target of a job. */
export interface TargetStatus {
  readonly target: string;
  readonly delivered: number;
  /** Posts left out on purpose (e.g. protected media with skip-protected): done, no message. */
  readonly skipped: number;
  readonly inFlight: number;
  readonly failed: number;
  readonly firstId?: number;
  readonly lastId?: number;
}

/** What `tgrelay status` shows for a job. */
export interface JobStatus {
  readonly jobId: string;
  readonly spec: JobSpec;
  /** Number of source posts in the job's range, when the runner recorded it. */
  readonly total?: number;
  readonly targets: readonly TargetStatus[];
  /** Unix milliseconds. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * The journal of one job with the queries the CLI and the scheduler need on top of the port:
 * status, the failures to retry, and the in-flight sends to resume with the same account.
 * Implemented by SqliteJournal (durable) and MemoryJournal (same semantics, no disk).
 */
export interface JobJournal extends Journal {
  readonly spec: JobSpec;
  /** Every target message id of a delivered post, in order ([] for a skipped post). */
  targetIdsOf(target: string, postId: number): readonly number[] | undefined;
  /**
   * Forget begun sends that certainly did not post (e.g. a run cancelled while its batch waited for its
   * turn): removes their in-flight rows, nothing else.
   */
  abandon(target: string, postIds: readonly number[]): void;
  /** The account that began an uncommitted send of `postId` to `target`, if any. */
  inFlightAccount(target: string, postId: number): string | undefined;
  /** All uncommitted sends, by target then post id. */
  inFlight(): readonly InFlight[];
  /** All recorded failures, by target then post id. */
  failures(): readonly Failure[];
  /** Source post ids with a failure on any target, ascending, each once: what `tgrelay retry` reads. */
  failedPostIds(): readonly number[];
  /** Record how many source posts the job's range holds (for progress display). */
  setTotal(total: number): void;
  status(): JobStatus;
  /** Release the underlying resources; idempotent. */
  close(): void;
}
