/** A small in-memory Journal for pipeline tests (the durable one is src/journal). */
import type { Batch } from "../../src/model/index.js";
import type { Delivery, Journal } from "../../src/ports.js";

export class MemoryJournal implements Journal {
  /** target -> source post id -> first target message id. */
  readonly delivered = new Map<string, Map<number, number>>();
  readonly begun: Array<{ target: string; postIds: number[]; account: string }> = [];
  readonly commits: Array<{ target: string; postIds: number[]; account: string; duplicate: boolean }> = [];
  readonly failures: Array<{ target: string; postIds: number[]; reason: string }> = [];
  readonly abandoned: Array<{ target: string; postIds: number[] }> = [];

  constructor(readonly jobId = "job-1") {}

  isDelivered(target: string, postId: number): boolean {
    return this.delivered.get(target)?.has(postId) ?? false;
  }
  targetIdOf(target: string, postId: number): number | undefined {
    return this.delivered.get(target)?.get(postId);
  }
  begin(target: string, batch: Batch, account: string): void {
    this.begun.push({ target, postIds: batch.posts.map((p) => p.id), account });
  }
  commit(batch: Batch, delivery: Delivery, account: string): void {
    let m = this.delivered.get(delivery.target);
    if (!m) this.delivered.set(delivery.target, (m = new Map()));
    for (const p of batch.posts) {
      const ids = delivery.ids.get(p.id);
      if (ids && ids.length > 0) m.set(p.id, ids[0]!);
    }
    this.commits.push({ target: delivery.target, postIds: batch.posts.map((p) => p.id), account, duplicate: delivery.duplicate ?? false });
  }
  fail(target: string, postIds: readonly number[], reason: string): void {
    this.failures.push({ target, postIds: [...postIds], reason });
  }
  abandon(target: string, postIds: readonly number[]): void {
    this.abandoned.push({ target, postIds: [...postIds] });
  }
  /** Mark posts delivered to a target, as an earlier run would have. */
  seed(target: string, postIds: readonly number[]): this {
    let m = this.delivered.get(target);
    if (!m) this.delivered.set(target, (m = new Map()));
    for (const id of postIds) m.set(id, 1000 + id);
    return this;
  }
}
