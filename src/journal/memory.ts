import type { Batch } from "../model/index.js";
import type { Delivery } from "../ports.js";
import { jobIdOf, type JobSpec } from "./job.js";
import type { Failure, InFlight, JobJournal, JobStatus, TargetStatus } from "./journal.js";

interface DeliveredRow {
  readonly ids: readonly number[];
  readonly skipped?: string;
}

const key = (target: string, postId: number): string => `${target}\u0000${postId}`;
const byTargetThenPost = (a: { target: string; postId: number }, b: { target: string; postId: number }): number =>
  a.target < b.target ? -1 : a.target > b.target ? 1 : a.postId - b.postId;

/**
 * The journal of one job in memory: the same semantics as SqliteJournal, nothing on disk.
 * For library users that keep their own state, and for tests.
 */
export class MemoryJournal implements JobJournal {
  readonly jobId: string;
  private readonly delivered = new Map<string, DeliveredRow & { target: string; postId: number }>();
  private readonly flying = new Map<string, InFlight>();
  private readonly failed = new Map<string, Failure>();
  private total: number | undefined;
  private readonly createdAt = Date.now();
  private updatedAt = this.createdAt;

  constructor(readonly spec: JobSpec) {
    this.jobId = jobIdOf(spec);
  }

  isDelivered(target: string, postId: number): boolean {
    return this.delivered.has(key(target, postId));
  }

  targetIdOf(target: string, postId: number): number | undefined {
    return this.delivered.get(key(target, postId))?.ids[0];
  }

  targetIdsOf(target: string, postId: number): readonly number[] | undefined {
    return this.delivered.get(key(target, postId))?.ids;
  }

  begin(target: string, batch: Batch, account: string): void {
    for (const p of batch.posts) {
      const k = key(target, p.id);
      const attempt = (this.flying.get(k)?.attempt ?? 0) + 1;
      this.flying.set(k, { target, postId: p.id, account, attempt, seq: batch.seq });
    }
  }

  commit(batch: Batch, delivery: Delivery, _account: string): void {
    const skipped = new Map((delivery.skipped ?? []).map((s) => [s.postId, s.reason]));
    for (const p of batch.posts) {
      const k = key(delivery.target, p.id);
      const reason = skipped.get(p.id);
      const ids = [...(delivery.ids.get(p.id) ?? [])];
      this.delivered.set(k, {
        target: delivery.target, postId: p.id, ids, ...(reason === undefined ? {} : { skipped: reason }),
      });
      this.flying.delete(k);
      this.failed.delete(k);
    }
    this.updatedAt = Date.now();
  }

  fail(target: string, postIds: readonly number[], reason: string): void {
    const at = Date.now();
    for (const postId of postIds) {
      const k = key(target, postId);
      const before = this.failed.get(k);
      const account = this.flying.get(k)?.account ?? before?.account;
      this.failed.set(k, {
        target, postId, reason, attempts: (before?.attempts ?? 0) + 1, at, ...(account === undefined ? {} : { account }),
      });
      this.flying.delete(k);
    }
    this.updatedAt = at;
  }

  abandon(target: string, postIds: readonly number[]): void {
    for (const id of postIds) this.flying.delete(key(target, id));
  }

  inFlightAccount(target: string, postId: number): string | undefined {
    return this.flying.get(key(target, postId))?.account;
  }

  inFlight(): readonly InFlight[] {
    return [...this.flying.values()].sort(byTargetThenPost);
  }

  failures(): readonly Failure[] {
    return [...this.failed.values()].sort(byTargetThenPost);
  }

  failedPostIds(): readonly number[] {
    return [...new Set([...this.failed.values()].map((f) => f.postId))].sort((a, b) => a - b);
  }

  setTotal(total: number): void {
    this.total = total;
    this.updatedAt = Date.now();
  }

  status(): JobStatus {
    const targets = new Map<string, { delivered: number; skipped: number; inFlight: number; failed: number; ids: number[] }>();
    const of = (t: string) => {
      let s = targets.get(t);
      if (s === undefined) targets.set(t, (s = { delivered: 0, skipped: 0, inFlight: 0, failed: 0, ids: [] }));
      return s;
    };
    for (const t of this.spec.targets) of(t);
    for (const d of this.delivered.values()) {
      const s = of(d.target);
      if (d.skipped === undefined) s.delivered++;
      else s.skipped++;
      s.ids.push(d.postId);
    }
    for (const f of this.flying.values()) of(f.target).inFlight++;
    for (const f of this.failed.values()) of(f.target).failed++;
    const list: TargetStatus[] = [...targets].map(([target, s]) => ({
      target, delivered: s.delivered, skipped: s.skipped, inFlight: s.inFlight, failed: s.failed,
      ...(s.ids.length === 0 ? {} : { firstId: s.ids.reduce((a, b) => Math.min(a, b)), lastId: s.ids.reduce((a, b) => Math.max(a, b)) }),
    }));
    return {
      jobId: this.jobId, spec: this.spec, targets: list, createdAt: this.createdAt, updatedAt: this.updatedAt,
      ...(this.total === undefined ? {} : { total: this.total }),
    };
  }

  close(): void {}
}
