/** `tgrelay status`: the jobs of a journal, per target: delivered, skipped, in flight, failed. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { listJobs, SqliteJournal, type JobStatus } from "../../journal/index.js";
import { UsageError } from "../../model/errors.js";
import { EXIT } from "../io.js";
import { toJson } from "../progress.js";
import { checkJournalFile, resolveCommon } from "../resolve.js";
import { parseChatRef, type ChatRef } from "../values.js";
import type { CommandContext } from "./index.js";

/**
 * The key a job's spec has for a reference. status reads only the journal (no account, no export): a
 * @username, link or export cannot be matched, so it is refused rather than silently listing every job.
 */
function keyOf(option: string, ref: ChatRef): string {
  if (ref.kind === "id") return ref.chatId;
  if (ref.kind === "dir") return `dir:${ref.path}`;
  throw new UsageError(`status --${option} ${ref.text}: status reads only the journal, so it matches -100 ids and dir:PATH only (tgrelay status lists every job with its chats' ids)`);
}

/** One job as text. */
export function formatStatus(s: JobStatus): string {
  const lines = [`job ${s.jobId}: ${s.spec.source} -> ${s.spec.targets.join(", ")}${s.total !== undefined ? ` (${s.total} posts)` : ""}, updated ${new Date(s.updatedAt).toISOString()}`];
  for (const t of s.targets) {
    const ids = t.firstId !== undefined ? ` ids ${t.firstId}-${t.lastId}` : "";
    lines.push(`  ${t.target}: ${t.delivered} delivered, ${t.skipped} skipped, ${t.inFlight} in flight, ${t.failed} failed${ids}`);
  }
  if (s.targets.some((t) => t.failed > 0)) lines.push("  `tgrelay retry` with the job's options sends the failed posts again.");
  if (s.targets.some((t) => t.inFlight > 0)) lines.push("  in flight: a run stopped mid-send; the next copy resends those with the same account (no duplicates).");
  return lines.join("\n");
}

/** List the jobs (all, or --job, or those matching --from/--to). */
export async function runStatus(ctx: CommandContext): Promise<number> {
  const common = resolveCommon(ctx.raw, ctx.configPath, ctx.io.cwd);
  const journalPath = resolve(ctx.io.cwd, String(ctx.raw.get("journal")?.value ?? "tgrelay.db"));
  const jobId = ctx.raw.get("job")?.value as string | undefined;
  const from = ctx.raw.get("from") ? parseChatRef("from", String(ctx.raw.get("from")!.value), "source", ctx.io.cwd) : undefined;
  const to = ((ctx.raw.get("to")?.value as string[] | undefined) ?? []).map((t) => parseChatRef("to", t, "target", ctx.io.cwd));
  // Checked before the journal is looked at: a bad filter is an error even when there is no journal yet.
  const fromKey = from && keyOf("from", from);
  const toKeys = to.map((t) => keyOf("to", t));
  if (!existsSync(journalPath)) {
    if (jobId) throw new UsageError(`--journal ${journalPath}: no such file`);
    ctx.io.stdout.write(common.json ? "" : `No journal at ${journalPath}: nothing was copied with it yet.\n`);
    return EXIT.ok;
  }
  checkJournalFile(String(ctx.raw.get("journal")?.value ?? "tgrelay.db"), journalPath);
  let jobs: JobStatus[];
  if (jobId) {
    const j = SqliteJournal.openById(journalPath, jobId);
    if (!j) throw new UsageError(`--job ${jobId}: no such job in ${journalPath}`);
    try { jobs = [j.status()]; } finally { j.close(); }
  } else {
    jobs = listJobs(journalPath);
    if (fromKey) jobs = jobs.filter((s) => s.spec.source === fromKey);
    for (const k of toKeys) jobs = jobs.filter((s) => s.spec.targets.includes(k));
  }
  if (common.json) for (const s of jobs) ctx.io.stdout.write(`${toJson({ type: "job", ...s })}\n`);
  else if (jobs.length === 0) ctx.io.stdout.write(`No matching job in ${journalPath}.\n`);
  else ctx.io.stdout.write(`${jobs.map(formatStatus).join("\n")}\n`);
  return EXIT.ok;
}
