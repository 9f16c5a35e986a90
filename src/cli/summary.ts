/**
 * The run's tally, built only from RelayEvents (of every account) and the kinds of the posts read: what the
 * progress display shows while the run goes, and the final summary (sent, skipped and failed by kind and
 * reason, bytes, time, throughput).
 */
import type { RelayEvent, RelayTotals } from "../pipeline/events.js";
import { formatSize } from "../pipeline/captions.js";
import { ZERO_TOTALS } from "../pipeline/events.js";
import type { ScheduleEvent } from "../pipeline/scheduler.js";

/** What the CLI listens to: one relay's events, or a scheduled job's (many accounts). */
export type RunEvent = RelayEvent | ScheduleEvent;

/** Counters of one account, from its own events (a job's totals are for all accounts). */
export interface AccountCounts {
  read: number;
  sent: number;
  skipped: number;
  failed: number;
  bytes: number;
  floodWaits: number;
}

export interface KindTally {
  sent: number;
  skipped: number;
  failed: number;
}

export interface Failure {
  readonly postIds: readonly number[];
  readonly target?: string;
  readonly reason: string;
  readonly account: string;
}

export interface AccountState {
  /** The account's own relay totals (single-relay runs) or its counts from events. */
  totals: RelayTotals;
  counts: AccountCounts;
  /** Posts this account settled (sent somewhere, skipped or failed), each once. */
  settled: Set<number>;
  /** Album sends (batches of more than one post), per target. */
  albums: number;
  /** Wall-clock ms when the current flood wait ends, if one is running. */
  floodUntil?: number;
  floodSeconds?: number;
  done: boolean;
  stopped: boolean;
}

/** The summary of a run, as printed at the end and written as the last JSON line. */
export interface RunSummary {
  readonly type: "summary";
  readonly durationMs: number;
  readonly stopped: boolean;
  readonly posts: { readonly read: number; readonly sent: number; readonly skipped: number; readonly failed: number };
  readonly albumsSent: number;
  readonly byKind: Readonly<Record<string, KindTally>>;
  readonly skippedByReason: Readonly<Record<string, number>>;
  readonly failedByReason: Readonly<Record<string, number>>;
  readonly failures: readonly Failure[];
  readonly bytesDownloaded: number;
  readonly bytesSent: number;
  readonly bytesPerSecond: number;
  readonly floodWaits: number;
  readonly floodWaitSeconds: number;
  readonly accounts: Readonly<Record<string, AccountCounts & { albums: number }>>;
  readonly warnings: readonly string[];
}

/** Accumulates events; `now` is injectable so tests need no clock. */
export class Tally {
  readonly accounts = new Map<string, AccountState>();
  readonly byKind = new Map<string, KindTally>();
  readonly skippedByReason = new Map<string, number>();
  readonly failedByReason = new Map<string, number>();
  readonly failures: Failure[] = [];
  readonly warnings: string[] = [];
  /** Kind of each post read, by id (filled by the observed source). */
  readonly kinds = new Map<number, string>();
  /** Expected number of posts, when a plan or the journal knows it. */
  total?: number;
  readonly startedAt: number;
  endedAt?: number;

  /** Totals of the whole job, when events come from schedule(). */
  private jobTotals?: RelayTotals;
  /** Notices from the scheduler (an account died, a chunk handed back). */
  readonly notices: string[] = [];

  constructor(readonly now: () => number = Date.now, accounts: readonly string[] = []) {
    this.startedAt = now();
    for (const a of accounts) this.account(a);
  }

  /** The state of one account (created on first sight). */
  account(name: string): AccountState {
    let s = this.accounts.get(name);
    if (!s) {
      s = { totals: ZERO_TOTALS, counts: { read: 0, sent: 0, skipped: 0, failed: 0, bytes: 0, floodWaits: 0 }, settled: new Set(), albums: 0, done: false, stopped: false };
      this.accounts.set(name, s);
    }
    return s;
  }

  /** Record the kind of a post read (for the by-kind table). */
  noteKind(postId: number, kind: string): void {
    this.kinds.set(postId, kind);
  }

  /** Fate of each post, counted once per post (a post sent to two targets is one sent post). */
  private readonly fate = { sent: new Set<number>(), skipped: new Set<number>(), failed: new Set<number>() };

  private mark(what: keyof KindTally, postId: number): void {
    if (this.fate[what].has(postId)) return;
    this.fate[what].add(postId);
    const k = this.kinds.get(postId) ?? "unknown";
    let t = this.byKind.get(k);
    if (!t) {
      t = { sent: 0, skipped: 0, failed: 0 };
      this.byKind.set(k, t);
    }
    t[what]++;
  }

  /** Take one event into account. */
  add(e: RunEvent): void {
    const scheduled = "chunk" in e || e.type === "cooldown" || e.type === "account-dead" || e.account === "";
    if (scheduled) this.jobTotals = e.totals;
    if (e.type === "done" && e.account === "") {
      for (const s of this.accounts.values()) {
        s.done = true;
        s.stopped = e.stopped;
        s.floodUntil = undefined;
      }
      this.stoppedJob = e.stopped;
      return;
    }
    const s = this.account(e.account);
    if (!scheduled && e.type !== "flood-wait") s.totals = e.totals;
    if (e.type === "sent" || e.type === "skipped" || e.type === "failed") for (const id of e.postIds) s.settled.add(id);
    switch (e.type) {
      case "read":
        s.counts.read++;
        break;
      case "downloaded":
        s.counts.bytes += e.bytes;
        break;
      case "sent":
        for (const id of e.postIds) this.mark("sent", id);
        s.counts.sent += e.postIds.length;
        if (e.postIds.length > 1) s.albums++;
        for (const w of e.warnings) this.warnings.push(`${e.target}: ${w}`);
        s.floodUntil = undefined;
        break;
      case "skipped":
        for (const id of e.postIds) this.mark("skipped", id);
        s.counts.skipped += e.postIds.length;
        this.skippedByReason.set(e.reason, (this.skippedByReason.get(e.reason) ?? 0) + e.postIds.length);
        break;
      case "failed":
        for (const id of e.postIds) this.mark("failed", id);
        s.counts.failed += e.postIds.length;
        this.failedByReason.set(e.reason, (this.failedByReason.get(e.reason) ?? 0) + e.postIds.length);
        this.failures.push({ postIds: e.postIds, reason: e.reason, account: e.account, ...(e.target ? { target: e.target } : {}) });
        break;
      case "flood-wait":
      case "cooldown":
        if (e.type === "flood-wait") s.counts.floodWaits++;
        s.floodUntil = Math.max(s.floodUntil ?? 0, this.now() + e.seconds * 1000);
        s.floodSeconds = e.seconds;
        break;
      case "account-dead":
        this.notices.push(`account ${e.account} is unusable (${e.reason}); its work went to the other accounts`);
        break;
      case "done":
        s.done = true;
        s.stopped = e.stopped;
        s.floodUntil = undefined;
        break;
      default:
        break;
    }
  }

  private stoppedJob = false;
  /** Posts the relay's totals count as skipped that the journal records as failed (see asRecorded in job.ts). */
  private movedToFailed = 0;

  /** Posts failed outside the relay's events (a run ended by a Fatal error: its sends in flight). */
  private extraFailed = 0;

  /** Count posts as failed that no event reported (see runJob: a Fatal error's sends in flight). */
  addFailure(postIds: readonly number[], reason: string, target?: string): void {
    for (const id of postIds) this.mark("failed", id);
    this.extraFailed += postIds.length;
    this.failedByReason.set(reason, (this.failedByReason.get(reason) ?? 0) + postIds.length);
    this.failures.push({ postIds, reason, account: "", ...(target ? { target } : {}) });
  }

  /** Count `n` posts of the totals' skipped as failed. */
  recountAsFailed(n: number): void {
    this.movedToFailed += n;
  }

  /** Totals summed over accounts. */
  overall(): RelayTotals {
    if (this.jobTotals) return this.jobTotals;
    const sum: Record<string, number> = { ...ZERO_TOTALS };
    for (const s of this.accounts.values()) {
      for (const [k, v] of Object.entries(s.totals)) sum[k] = (sum[k] ?? 0) + (v as number);
    }
    return sum as unknown as RelayTotals;
  }

  /** Posts whose fate is known (sent somewhere, skipped or failed), each once: the progress count. */
  settledPosts(): number {
    const all = new Set<number>(this.fate.sent);
    for (const id of this.fate.skipped) all.add(id);
    for (const id of this.fate.failed) all.add(id);
    return all.size;
  }

  albums(): number {
    let n = 0;
    for (const s of this.accounts.values()) n += s.albums;
    return n;
  }

  elapsedMs(): number {
    return (this.endedAt ?? this.now()) - this.startedAt;
  }

  /** Bytes per second over the run so far. */
  speed(): number {
    const ms = this.elapsedMs();
    const t = this.overall();
    return ms > 0 ? (Math.max(t.bytesDownloaded, t.bytesSent) * 1000) / ms : 0;
  }

  /** Seconds left, from the settled-posts rate, when the total is known. */
  etaSeconds(): number | undefined {
    const settled = this.settledPosts();
    if (this.total === undefined || settled === 0) return undefined;
    const left = Math.max(0, this.total - settled);
    return Math.round(((this.elapsedMs() / 1000) * left) / settled);
  }

  /** The final summary. */
  summary(): RunSummary {
    this.endedAt ??= this.now();
    const t = this.overall();
    const accounts: Record<string, AccountCounts & { albums: number }> = {};
    for (const [name, s] of this.accounts) accounts[name] = { ...s.counts, albums: s.albums };
    return {
      type: "summary",
      durationMs: this.elapsedMs(),
      stopped: this.stoppedJob || [...this.accounts.values()].some((s) => s.stopped),
      posts: { read: t.read, sent: t.sent, skipped: Math.max(0, t.skipped - this.movedToFailed), failed: t.failed + this.movedToFailed + this.extraFailed },
      albumsSent: this.albums(),
      byKind: Object.fromEntries(this.byKind),
      skippedByReason: Object.fromEntries(this.skippedByReason),
      failedByReason: Object.fromEntries(this.failedByReason),
      failures: this.failures,
      bytesDownloaded: t.bytesDownloaded,
      bytesSent: t.bytesSent,
      bytesPerSecond: Math.round(this.speed()),
      floodWaits: t.floodWaits,
      floodWaitSeconds: t.floodWaitSeconds,
      accounts,
      warnings: [...this.notices, ...this.warnings],
    };
  }
}

/** "1h 02m", "3m 05s", "12s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/**
 * Reasons with their counts, most first. Reasons that differ only in their numbers (a post id, a length:
 * "caption of post 12 is 1500 characters") are one group, written with N for the numbers.
 */
export function table(entries: Record<string, number>): string {
  const groups = new Map<string, { n: number; reasons: Set<string> }>();
  for (const [reason, n] of Object.entries(entries)) {
    const key = reason.replace(/\d+/gu, "N");
    const g = groups.get(key) ?? { n: 0, reasons: new Set<string>() };
    g.n += n;
    g.reasons.add(reason);
    groups.set(key, g);
  }
  return [...groups].sort((a, b) => b[1].n - a[1].n)
    .map(([key, g]) => `${g.reasons.size === 1 ? [...g.reasons][0] : key} ${g.n}`).join(", ");
}

/** The summary as text for people. */
export function formatSummary(s: RunSummary): string {
  const lines: string[] = [];
  const secs = s.durationMs / 1000;
  lines.push(`${s.stopped ? "Stopped" : "Done"} in ${formatDuration(secs)}: ${s.posts.read} posts read, ${s.posts.sent} deliveries (${s.albumsSent} of them albums), ${s.posts.skipped} skipped, ${s.posts.failed} failed.`);
  lines.push(`Bytes: ${formatSize(s.bytesDownloaded)} downloaded, ${formatSize(s.bytesSent)} sent, ${formatSize(s.bytesPerSecond)}/s.`);
  const kinds = Object.entries(s.byKind).sort((a, b) => a[0].localeCompare(b[0]));
  if (kinds.length) {
    lines.push("By kind (posts):");
    for (const [k, t] of kinds) lines.push(`  ${k.padEnd(10)} sent ${t.sent}, skipped ${t.skipped}, failed ${t.failed}`);
  }
  if (Object.keys(s.skippedByReason).length) lines.push(`Skipped: ${table(s.skippedByReason as Record<string, number>)}.`);
  if (Object.keys(s.failedByReason).length) lines.push(`Failed: ${table(s.failedByReason as Record<string, number>)}.`);
  if (s.floodWaits) lines.push(`Flood waits: ${s.floodWaits}, ${formatDuration(s.floodWaitSeconds)} in all.`);
  for (const f of s.failures.slice(0, 20)) {
    lines.push(`  failed ${f.postIds.join(",")}${f.target ? ` -> ${f.target}` : ""}: ${f.reason}`);
  }
  if (s.failures.length > 20) lines.push(`  ... and ${s.failures.length - 20} more`);
  if (s.failures.length) lines.push("Run `tgrelay retry` with the same options to send the failed posts again.");
  for (const w of s.warnings.slice(0, 10)) lines.push(`  warning: ${w}`);
  if (s.warnings.length > 10) lines.push(`  ... and ${s.warnings.length - 10} more warnings`);
  return lines.join("\n");
}
