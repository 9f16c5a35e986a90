/**
 * `plan`: what a copy would do, from reading only. Posts are grouped into batches exactly as the relay
 * groups them (bufferByMediaGroup on groupedId), cut into the chunks accounts would share, judged by the
 * same filters and caption edits, checked against the journal, and given the strategy each target would
 * use and why.
 */
import { from, lastValueFrom, map, toArray } from "rxjs";
import { batchBytes, batchOf, type Batch, type Post } from "../model/index.js";
import { bufferByMediaGroup } from "../operators/bufferByMediaGroup.js";
import { formatSize } from "../pipeline/captions.js";
import { postKind } from "../pipeline/filters.js";
import type { Sink, Strategy } from "../ports.js";
import { chooseStrategy } from "../telegram/strategy.js";
import { jobRange, openJob, peekJournal, relayHooks } from "./job.js";
import type { AccountHandle } from "./endpoints.js";
import { readAll, widenToAlbums } from "./reading.js";
import type { JobSettings } from "./resolve.js";

/** The decision for one batch and one target. */
export interface TargetPlan {
  readonly target: string;
  readonly strategy: Strategy | "skip" | "fail" | "done";
  readonly reason: string;
}

export interface PlanBatch {
  readonly type: "batch";
  readonly seq: number;
  readonly chunk: number;
  readonly ids: readonly number[];
  readonly album: boolean;
  readonly kinds: readonly string[];
  readonly bytes: number;
  readonly protected: boolean;
  /** Set when the whole batch is left out (a filter). */
  readonly skip?: string;
  readonly targets: readonly TargetPlan[];
}

export interface PlanChunk {
  readonly type: "chunk";
  readonly index: number;
  readonly fromId: number;
  readonly toId: number;
  readonly posts: number;
  readonly batches: number;
}

export interface PlanReport {
  readonly type: "plan";
  readonly source: string;
  readonly targets: readonly string[];
  readonly range: { readonly fromId: number; readonly toId: number; readonly since?: number; readonly until?: number };
  readonly accounts: readonly string[];
  readonly posts: number;
  readonly albums: number;
  readonly batches: number;
  readonly chunks: number;
  readonly chunkSize: number;
  readonly bytes: number;
  readonly bytesToDownload: number;
  readonly skipped: Readonly<Record<string, number>>;
  readonly strategies: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly notices: readonly string[];
  /** How the user named the source and each target (key -> as typed). */
  readonly names: Readonly<Record<string, string>>;
}

/** An adapter sink may explain its choice (optional method; see NOTES.md). */
type Explaining = Sink & { explain?: (batch: Batch) => { strategy: Strategy | "skip"; reason: string } };

/**
 * The strategy a target would use: the adapter's own choice (chooseStrategy, the function its sink calls),
 * with the reason in words; an archive target always archives.
 */
export function predictStrategy(batch: Batch, sink: Sink, settings: JobSettings): TargetPlan {
  const target = sink.target;
  const explained = (sink as Explaining).explain?.(batch);
  if (explained) return { target, ...explained };
  if (target.startsWith("dir:")) return { target, strategy: "archive", reason: "files and manifest written" };
  const choice = chooseStrategy(batch.posts, { mode: settings.mode, skipProtected: settings.skipProtected });
  if (choice.send.length === 0) return { target, strategy: "skip", reason: choice.skipped[0]?.reason ?? "nothing to send" };
  const anyProtected = choice.send.some((p) => p.noforwards);
  const noRef = choice.send.some((p) => p.ref === undefined);
  let reason: string;
  if (choice.strategy === "reupload") {
    reason = settings.mode === "reupload" ? "--mode reupload"
      : anyProtected ? "protected: download and upload"
        : noRef ? "a local source: files are uploaded" : "no reference to send by";
  } else if (choice.strategy === "copy") {
    reason = settings.mode === "forward" ? "captions edited: a forward would send the original"
      : settings.mode === "copy" ? "--mode copy" : "by reference, no bytes moved";
  } else {
    reason = "--mode forward";
  }
  if (choice.skipped.length) reason += `; ${choice.skipped.length} of ${batch.posts.length} left out: ${choice.skipped[0]!.reason}`;
  return { target, strategy: choice.strategy, reason };
}

/** Build the plan. Reads the source with the first account; sends nothing, creates nothing. */
export async function buildPlan(settings: JobSettings, handles: readonly AccountHandle[]): Promise<{ report: PlanReport; batches: PlanBatch[]; chunks: PlanChunk[] }> {
  const job = await openJob(settings, handles, () => {}, true);
  const account = job.accounts[0]!;
  const widened = await widenToAlbums(account.source, jobRange(settings, job));
  const toId = Math.min(widened.range.toId ?? job.topId, job.topId);
  const fromId = Math.max(1, widened.range.fromId ?? 1);
  const range = { ...widened.range, fromId, toId };
  const read = toId >= fromId ? await readAll(account.source, range) : [];
  const posts = job.onlyIds ? read.filter((p) => job.onlyIds!.has(p.id)) : read;
  const journal = peekJournal(settings, job);
  const hooks = relayHooks(settings, job.sourceUsername);
  const skipped: Record<string, number> = {};
  const count = (reason: string, n: number): void => { skipped[reason] = (skipped[reason] ?? 0) + n; };

  // As the relay does: posts delivered to every target are passed over before grouping.
  const fresh: Post[] = [];
  for (const p of posts) {
    if (journal && job.targets.every((t) => journal.isDelivered(t, p.id))) count("already delivered", 1);
    else fresh.push(p);
  }
  const groups = await lastValueFrom(from(fresh).pipe(bufferByMediaGroup((p: Post) => p.groupedId), map((g) => g), toArray()));
  // The scheduler's own cut: chunks of `size` ids from fromId (its default when --chunk is not given).
  const size = settings.chunk ?? (settings.order === "strict" ? 1 : 100);
  const chunkCount = toId >= fromId ? Math.ceil((toId - fromId + 1) / size) : 0;
  const chunkOf = (id: number): number => Math.floor((id - fromId) / size);

  const batches: PlanBatch[] = [];
  const strategies: Record<string, Record<string, number>> = {};
  let bytes = 0;
  let bytesToDownload = 0;
  let albums = 0;
  let toSend = 0;
  groups.forEach((g, seq) => {
    const batch = batchOf(g, seq);
    const kinds = g.map(postKind);
    const size = batchBytes(batch);
    const album = g.length > 1;
    const base = { type: "batch" as const, seq, chunk: chunkOf(g[0]!.id), ids: g.map((p) => p.id), album, kinds, bytes: size, protected: g.some((p) => p.noforwards) };
    const skip = hooks.skip?.(batch);
    if (skip !== undefined) {
      count(skip, g.length);
      batches.push({ ...base, skip, targets: [] });
      return;
    }
    const edited = hooks.transform ? hooks.transform(batch) : batch;
    const targets = account.sinks.map((sink): TargetPlan => {
      if (journal && g.every((p) => journal.isDelivered(sink.target, p.id))) return { target: sink.target, strategy: "done", reason: "already delivered there" };
      return predictStrategy(edited, sink, settings);
    });
    // A batch every target skips (protected with --skip-protected or --mode forward) or has is not "to send".
    const sending = targets.some((t) => t.strategy !== "skip" && t.strategy !== "done" && t.strategy !== "fail");
    if (sending) {
      toSend++;
      bytes += size;
      if (album) albums++;
    }
    if (targets.some((t) => t.strategy === "reupload" || t.strategy === "archive")) bytesToDownload += size;
    for (const t of targets) {
      const s = (strategies[t.target] ??= {});
      s[t.strategy] = (s[t.strategy] ?? 0) + g.length;
      if (t.strategy === "skip") count(t.reason, g.length);
    }
    batches.push({ ...base, targets });
  });
  journal?.close();
  // Chunks that hold a batch (a chunk of deleted ids has nothing to show).
  const byChunk = new Map<number, PlanChunk>();
  for (const b of batches) {
    const c = byChunk.get(b.chunk) ?? { type: "chunk" as const, index: b.chunk, fromId: fromId + b.chunk * size, toId: Math.min(toId, fromId + (b.chunk + 1) * size - 1), posts: 0, batches: 0 };
    byChunk.set(b.chunk, { ...c, posts: c.posts + b.ids.length, batches: c.batches + 1 });
  }
  const chunks = [...byChunk.values()];
  const report: PlanReport = {
    type: "plan", source: job.sourceKey, targets: job.targets,
    range: { fromId, toId, ...(range.since !== undefined ? { since: range.since } : {}), ...(range.until !== undefined ? { until: range.until } : {}) },
    accounts: job.accounts.map((a) => a.name),
    posts: posts.length, albums, batches: toSend, chunks: chunkCount, chunkSize: size,
    bytes, bytesToDownload, skipped, strategies, notices: [...job.notices, ...widened.notices],
    names: {
      [job.sourceKey]: settings.from.text,
      ...Object.fromEntries(job.targets.map((t, i) => [t, settings.to[i]?.text ?? t])),
    },
  };
  return { report, batches, chunks };
}

function idsText(ids: readonly number[]): string {
  return ids.length === 1 ? String(ids[0]) : `${ids[0]}-${ids[ids.length - 1]}`;
}

function kindsText(b: PlanBatch): string {
  if (!b.album) return b.kinds[0]!;
  const counts = new Map<string, number>();
  for (const k of b.kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  return `album: ${[...counts].map(([k, n]) => `${n} ${k}`).join(", ")}`;
}

/** The plan as text for people. */
export function formatPlan(p: { report: PlanReport; batches: readonly PlanBatch[]; chunks: readonly PlanChunk[] }): string {
  const r = p.report;
  const lines: string[] = [];
  const name = (k: string): string => (r.names[k] && r.names[k] !== k ? `${r.names[k]} (${k})` : k);
  const short = (k: string): string => r.names[k] ?? k;
  lines.push(`Plan: ${name(r.source)} -> ${r.targets.map(name).join(", ")}, ids ${r.range.fromId}..${r.range.toId}, account${r.accounts.length > 1 ? "s" : ""} ${r.accounts.join(", ")}`);
  for (const n of r.notices) lines.push(`notice: ${n}`);
  lines.push(`${"seq".padStart(5)}  ${"ids".padEnd(13)} ${"what".padEnd(28)} ${"size".padStart(9)}  strategy per target`);
  for (const b of p.batches) {
    const what = `${kindsText(b)}${b.protected ? " (protected)" : ""}`;
    const head = `${String(b.seq).padStart(5)}  ${idsText(b.ids).padEnd(13)} ${what.padEnd(28)} ${formatSize(b.bytes).padStart(9)}  `;
    if (b.skip) lines.push(`${head}skipped: ${b.skip}`);
    else lines.push(head + b.targets.map((t) => `${r.targets.length > 1 ? `${short(t.target)}: ` : ""}${t.strategy} (${t.reason})`).join("; "));
  }
  lines.push(`Chunks: ${r.chunks} of ${r.chunkSize} id${r.chunkSize > 1 ? "s" : ""} (an album goes with its first id), pulled by ${r.accounts.length} account${r.accounts.length > 1 ? "s" : ""} from one queue${p.chunks.length ? ":" : "."}`);
  for (const c of p.chunks.slice(0, 20)) lines.push(`  #${c.index} ids ${c.fromId}-${c.toId}: ${c.posts} posts in ${c.batches} batch${c.batches > 1 ? "es" : ""}`);
  if (p.chunks.length > 20) lines.push(`  ... and ${p.chunks.length - 20} more with posts`);
  lines.push(`Total: ${r.posts} posts read, ${r.batches} batches to send (${r.albums} albums), ${formatSize(r.bytes)}, ${formatSize(r.bytesToDownload)} to download.`);
  for (const [t, s] of Object.entries(r.strategies)) {
    lines.push(`  ${short(t)}: ${Object.entries(s).map(([k, n]) => `${k} ${n}`).join(", ")}`);
  }
  const sk = Object.entries(r.skipped);
  if (sk.length) lines.push(`Skipped: ${sk.map(([k, n]) => `${k} ${n}`).join(", ")}.`);
  lines.push("Nothing was sent. Run the same command with `copy` instead of `plan` to do it.");
  return lines.join("\n");
}
