import Database from "better-sqlite3";
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError, type Batch } from "../model/index.js";
import type { Delivery } from "../ports.js";
import { jobIdOf, type JobSpec } from "./job.js";
import type { Failure, InFlight, JobJournal, JobStatus, TargetStatus } from "./journal.js";

type Db = Database.Database;

/** How hard a commit is pushed to disk. */
export type Synchronous = "full" | "normal";

export interface SqliteJournalOptions {
  /**
   * "full" (default): WAL fsynced on every commit, so a delivery survives a power loss once commit() returns.
   * "normal": WAL fsynced only at checkpoints; survives a killed process (SIGKILL) but not a power loss.
   * One fsync per batch costs far less than a Telegram send, so "full" is the default.
   */
  readonly synchronous?: Synchronous;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS job (
  id TEXT PRIMARY KEY, spec TEXT NOT NULL, total INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
-- In delivered, inflight and failure, "job" is the lane: jobIdOf(source, [target], options), shared by every
-- job that has that target (see SqliteJournal.lane).
CREATE TABLE IF NOT EXISTS delivered (
  job TEXT NOT NULL, target TEXT NOT NULL, post INTEGER NOT NULL,
  ids TEXT NOT NULL, first_id INTEGER, skipped TEXT, account TEXT NOT NULL, strategy TEXT, at INTEGER NOT NULL,
  PRIMARY KEY (job, target, post)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inflight (
  job TEXT NOT NULL, target TEXT NOT NULL, post INTEGER NOT NULL,
  account TEXT NOT NULL, attempt INTEGER NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL,
  PRIMARY KEY (job, target, post)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS failure (
  job TEXT NOT NULL, target TEXT NOT NULL, post INTEGER NOT NULL,
  reason TEXT NOT NULL, attempts INTEGER NOT NULL, account TEXT, at INTEGER NOT NULL,
  PRIMARY KEY (job, target, post)
) WITHOUT ROWID;
`;

function openDb(path: string, synchronous: Synchronous): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${synchronous === "full" ? "FULL" : "NORMAL"}`);
    // Two processes on one journal (e.g. `status` during a run) wait for each other instead of failing.
    db.pragma("busy_timeout = 5000");
    db.exec(SCHEMA);
  } catch (e) {
    db.close();
    // SQLite only reads the header at the first statement: a file that is not a database fails here.
    if ((e as { code?: unknown }).code === "SQLITE_NOTADB") {
      throw new UsageError(`${path} is not a tgrelay journal (not an SQLite database)`, { cause: e });
    }
    throw e;
  }
  return db;
}

/**
 * The journal of one job in a SQLite file (WAL mode). Every write is one transaction, committed before the
 * method returns; with the default synchronous=FULL that commit is on disk. One file can hold many jobs.
 */
export class SqliteJournal implements JobJournal {
  readonly jobId: string;
  private closed = false;
  private readonly lanes = new Map<string, string>();
  private readonly q: ReturnType<typeof prepare>;

  private constructor(
    private readonly db: Db,
    readonly spec: JobSpec,
    register = true,
  ) {
    this.jobId = jobIdOf(spec);
    this.q = prepare(db);
    const now = Date.now();
    if (register) this.q.insertJob.run(this.jobId, JSON.stringify(spec), now, now);
  }

  /**
   * Read what the targets of `spec` already hold, without recording the job (for `tgrelay plan`): a job
   * never run may still find its targets' copies, made by jobs with other targets beside them.
   * @returns undefined when the file does not exist
   */
  static peek(path: string, spec: JobSpec): SqliteJournal | undefined {
    if (!existsSync(path)) return undefined;
    return new SqliteJournal(openDb(path, "normal"), spec, false);
  }

  /**
   * Open (or create) the journal of the job `spec` in the file `path`.
   * @param path SQLite file; its folder is created; ":memory:" for a throwaway one
   * @param spec the job; its id is jobIdOf(spec)
   */
  static open(path: string, spec: JobSpec, options: SqliteJournalOptions = {}): SqliteJournal {
    return new SqliteJournal(openDb(path, options.synchronous ?? "full"), spec);
  }

  /**
   * Open an existing job of the file by its id (for `tgrelay status ID` / `tgrelay retry ID`).
   * @returns undefined when the file has no such job
   */
  static openById(path: string, jobId: string, options: SqliteJournalOptions = {}): SqliteJournal | undefined {
    const db = openDb(path, options.synchronous ?? "full");
    const row = db.prepare("SELECT spec FROM job WHERE id = ?").get(jobId) as { spec: string } | undefined;
    if (row === undefined) {
      db.close();
      return undefined;
    }
    return new SqliteJournal(db, JSON.parse(row.spec) as JobSpec);
  }

  isDelivered(target: string, postId: number): boolean {
    return this.q.delivered.get(this.lane(target), target, postId) !== undefined;
  }

  targetIdOf(target: string, postId: number): number | undefined {
    const row = this.q.delivered.get(this.lane(target), target, postId) as { first_id: number | null } | undefined;
    return row?.first_id ?? undefined;
  }

  targetIdsOf(target: string, postId: number): readonly number[] | undefined {
    const row = this.q.delivered.get(this.lane(target), target, postId) as { ids: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.ids) as number[]);
  }

  begin(target: string, batch: Batch, account: string): void {
    const now = Date.now();
    this.tx(() => {
      for (const p of batch.posts) this.q.begin.run(this.lane(target), target, p.id, account, batch.seq, now);
    });
  }

  commit(batch: Batch, delivery: Delivery, account: string): void {
    const now = Date.now();
    const skipped = new Map((delivery.skipped ?? []).map((s) => [s.postId, s.reason]));
    this.tx(() => {
      for (const p of batch.posts) {
        const ids = delivery.ids.get(p.id) ?? [];
        const reason = skipped.get(p.id) ?? null;
        this.q.commit.run(
          this.lane(delivery.target), delivery.target, p.id, JSON.stringify(ids), ids[0] ?? null, reason, account, delivery.strategy, now,
        );
        this.q.endInFlight.run(this.lane(delivery.target), delivery.target, p.id);
        this.q.endFailure.run(this.lane(delivery.target), delivery.target, p.id);
      }
      this.q.touch.run(now, this.jobId);
    });
  }

  fail(target: string, postIds: readonly number[], reason: string): void {
    const now = Date.now();
    this.tx(() => {
      for (const id of postIds) {
        const f = this.q.inFlightOne.get(this.lane(target), target, id) as { account: string } | undefined;
        this.q.fail.run(this.lane(target), target, id, reason, f?.account ?? null, now);
        this.q.endInFlight.run(this.lane(target), target, id);
      }
      this.q.touch.run(now, this.jobId);
    });
  }

  abandon(target: string, postIds: readonly number[]): void {
    this.tx(() => {
      for (const id of postIds) this.q.endInFlight.run(this.lane(target), target, id);
    });
  }

  inFlightAccount(target: string, postId: number): string | undefined {
    const row = this.q.inFlightOne.get(this.lane(target), target, postId) as { account: string } | undefined;
    return row?.account;
  }

  inFlight(): readonly InFlight[] {
    const rows = this.perTarget(this.q.inFlightAll) as Array<{
      target: string; post: number; account: string; attempt: number; seq: number;
    }>;
    return rows.map((r) => ({ target: r.target, postId: r.post, account: r.account, attempt: r.attempt, seq: r.seq }));
  }

  failures(): readonly Failure[] {
    const rows = this.perTarget(this.q.failureAll) as Array<{
      target: string; post: number; reason: string; attempts: number; account: string | null; at: number;
    }>;
    return rows.map((r) => ({
      target: r.target, postId: r.post, reason: r.reason, attempts: r.attempts, at: r.at,
      ...(r.account === null ? {} : { account: r.account }),
    }));
  }

  failedPostIds(): readonly number[] {
    const ids = new Set((this.perTarget(this.q.failedIds) as Array<{ post: number }>).map((r) => r.post));
    return [...ids].sort((a, b) => a - b);
  }

  setTotal(total: number): void {
    this.q.setTotal.run(total, Date.now(), this.jobId);
  }

  status(): JobStatus {
    const job = this.q.job.get(this.jobId) as { total: number | null; created_at: number; updated_at: number };
    const targets = new Set(this.spec.targets);
    const counts = new Map<string, { delivered: number; skipped: number; firstId?: number; lastId?: number }>();
    for (const r of this.perTarget(this.q.deliveredCounts) as Array<{
      target: string; delivered: number; skipped: number; first: number; last: number;
    }>) {
      targets.add(r.target);
      counts.set(r.target, { delivered: r.delivered, skipped: r.skipped, firstId: r.first, lastId: r.last });
    }
    const countBy = (stmt: Database.Statement): Map<string, number> => {
      const m = new Map<string, number>();
      for (const r of this.perTarget(stmt) as Array<{ target: string; n: number }>) {
        targets.add(r.target);
        m.set(r.target, r.n);
      }
      return m;
    };
    const inFlight = countBy(this.q.inFlightCounts);
    const failed = countBy(this.q.failureCounts);
    const list: TargetStatus[] = [...targets].map((target) => {
      const c = counts.get(target);
      return {
        target,
        delivered: c?.delivered ?? 0,
        skipped: c?.skipped ?? 0,
        inFlight: inFlight.get(target) ?? 0,
        failed: failed.get(target) ?? 0,
        ...(c?.firstId === undefined ? {} : { firstId: c.firstId }),
        ...(c?.lastId === undefined ? {} : { lastId: c.lastId }),
      };
    });
    return {
      jobId: this.jobId, spec: this.spec, targets: list, createdAt: job.created_at, updatedAt: job.updated_at,
      ...(job.total === null ? {} : { total: job.total }),
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  /**
   * The key of (source, target, output options): what a target holds of a source does not depend on which
   * other targets a job has, so adding a target to a job later sends only to the new one.
   */
  private lane(target: string): string {
    let id = this.lanes.get(target);
    if (id === undefined) {
      id = jobIdOf({ source: this.spec.source, targets: [target], ...(this.spec.options ? { options: this.spec.options } : {}) });
      this.lanes.set(target, id);
    }
    return id;
  }

  /** Rows of a (lane, target) statement for every target of the job, in target order. */
  private perTarget(stmt: Database.Statement): unknown[] {
    return [...new Set(this.spec.targets)].sort().flatMap((t) => stmt.all(this.lane(t), t));
  }

  private tx(fn: () => void): void {
    this.db.transaction(fn)();
  }
}

function prepare(db: Db) {
  return {
    insertJob: db.prepare(
      "INSERT INTO job (id, spec, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    ),
    job: db.prepare("SELECT total, created_at, updated_at FROM job WHERE id = ?"),
    touch: db.prepare("UPDATE job SET updated_at = ? WHERE id = ?"),
    setTotal: db.prepare("UPDATE job SET total = ?, updated_at = ? WHERE id = ?"),
    delivered: db.prepare("SELECT ids, first_id FROM delivered WHERE job = ? AND target = ? AND post = ?"),
    commit: db.prepare(
      `INSERT INTO delivered (job, target, post, ids, first_id, skipped, account, strategy, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (job, target, post) DO UPDATE SET ids = excluded.ids, first_id = excluded.first_id,
         skipped = excluded.skipped, account = excluded.account, strategy = excluded.strategy, at = excluded.at`,
    ),
    // A retry bumps the attempt of the same row: the journal grows with posts, not with retries.
    begin: db.prepare(
      `INSERT INTO inflight (job, target, post, account, attempt, seq, at) VALUES (?, ?, ?, ?, 1, ?, ?)
       ON CONFLICT (job, target, post) DO UPDATE SET account = excluded.account, attempt = inflight.attempt + 1,
         seq = excluded.seq, at = excluded.at`,
    ),
    endInFlight: db.prepare("DELETE FROM inflight WHERE job = ? AND target = ? AND post = ?"),
    inFlightOne: db.prepare("SELECT account FROM inflight WHERE job = ? AND target = ? AND post = ?"),
    inFlightAll: db.prepare(
      "SELECT target, post, account, attempt, seq FROM inflight WHERE job = ? AND target = ? ORDER BY post",
    ),
    fail: db.prepare(
      `INSERT INTO failure (job, target, post, reason, attempts, account, at) VALUES (?, ?, ?, ?, 1, ?, ?)
       ON CONFLICT (job, target, post) DO UPDATE SET reason = excluded.reason, attempts = failure.attempts + 1,
         account = coalesce(excluded.account, failure.account), at = excluded.at`,
    ),
    endFailure: db.prepare("DELETE FROM failure WHERE job = ? AND target = ? AND post = ?"),
    failureAll: db.prepare(
      "SELECT target, post, reason, attempts, account, at FROM failure WHERE job = ? AND target = ? ORDER BY post",
    ),
    failedIds: db.prepare("SELECT post FROM failure WHERE job = ? AND target = ?"),
    deliveredCounts: db.prepare(
      `SELECT target, count(*) - count(skipped) AS delivered, count(skipped) AS skipped,
         min(post) AS first, max(post) AS last FROM delivered WHERE job = ? AND target = ? GROUP BY target`,
    ),
    inFlightCounts: db.prepare("SELECT target, count(*) AS n FROM inflight WHERE job = ? AND target = ? GROUP BY target"),
    failureCounts: db.prepare("SELECT target, count(*) AS n FROM failure WHERE job = ? AND target = ? GROUP BY target"),
  };
}

/**
 * Every job recorded in a journal file, with its status (for `tgrelay status` without a job id).
 * @returns [] when the file does not exist yet
 */
export function listJobs(path: string): JobStatus[] {
  if (!existsSync(path)) return [];
  const db = openDb(path, "normal");
  try {
    const rows = db.prepare("SELECT id FROM job ORDER BY created_at, id").all() as Array<{ id: string }>;
    return rows.map((r) => {
      const j = SqliteJournal.openById(path, r.id, { synchronous: "normal" })!;
      try {
        return j.status();
      } finally {
        j.close();
      }
    });
  } finally {
    db.close();
  }
}
