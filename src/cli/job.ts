/**
 * A job as the CLI runs it: the source and targets resolved on every account, the journal opened, then
 * schedule() over the accounts, with filters and caption edits plugged into each relay, progress fed by the
 * events, and signals turned into a graceful stop.
 */
import { existsSync } from "node:fs";
import type { Logger } from "pino";
import { concatMap, defer, finalize, lastValueFrom, map, Subject, tap, throwError, timer } from "rxjs";
import { openArchiveSource, ArchiveSink } from "../archive/index.js";
import { lockJob } from "./jobLock.js";
import { openDesktopExport, readTdlExport, tdlIds } from "../imports/index.js";
import { jobIdOf, SqliteJournal, type JobJournal, type JobSpec } from "../journal/index.js";
import { Fatal, UsageError } from "../model/errors.js";
import type { Batch, Post } from "../model/index.js";
import { compileCaptionEdit, editBatch, hasCaptionEdits, postLink } from "../pipeline/captions.js";
import { batchSkipReason, compileFilters, hasFilters, postKind } from "../pipeline/filters.js";
import { schedule, type Account } from "../pipeline/scheduler.js";
import type { Sink, Source } from "../ports.js";
import type { AccountHandle, ChatHandle, SinkSettings } from "./endpoints.js";
import { EXIT, type CliIo } from "./io.js";
import { BarsDisplay, chooseDisplay, type Display } from "./progress.js";
import type { LogRouter } from "./logger.js";
import type { JobSettings } from "./resolve.js";
import { Tally, type RunEvent, type RunSummary } from "./summary.js";
import type { ChatRef } from "./values.js";
import { widenToAlbums } from "./reading.js";

/** A source and its targets, ready on each account. */
export interface OpenedJob {
  readonly sourceKey: string;
  readonly sourceUsername?: string;
  readonly sourceChat?: ChatHandle;
  readonly accounts: readonly Account[];
  readonly targets: readonly string[];
  /** Newest id of the source (the job's range ends there unless --to-id). */
  readonly topId: number;
  /** Notices worth telling (an export's missing files...). */
  readonly notices: readonly string[];
  /** Only these source ids (a tdl export lists them). */
  readonly onlyIds?: ReadonlySet<number>;
  /** The id span of onlyIds. */
  readonly idSpan?: { readonly fromId: number; readonly toId: number };
  /** Close the archive targets (manifests, folder locks). */
  close(): Promise<void>;
}

function chatText(ref: ChatRef): string {
  return ref.kind === "username" ? `@${ref.username}` : ref.kind === "id" ? ref.chatId : ref.text;
}

/** Record each post's kind as it is read, for the by-kind summary. */
function observed(source: Source, onPost: (p: Post) => void): Source {
  return {
    chatId: source.chatId,
    account: source.account,
    download: (b) => source.download(b),
    read: (range, demand$) => source.read(range, demand$).pipe(tap(onPost)),
  };
}

/** Resolve source and targets on every account; throws UsageError/Fatal before anything is sent. */
export async function openJob(
  settings: JobSettings, handles: readonly AccountHandle[], onPost: (p: Post) => void, dryRun = false,
): Promise<OpenedJob> {
  try {
    return await openJobUnchecked(settings, handles, onPost, dryRun);
  } catch (e) {
    // A chat that cannot be reached (private, no such chat) is a configuration error: nothing was sent.
    if (e instanceof Fatal) throw new UsageError(e.message);
    throw e;
  }
}

async function openJobUnchecked(
  settings: JobSettings, handles: readonly AccountHandle[], onPost: (p: Post) => void, dryRun: boolean,
): Promise<OpenedJob> {
  const notices: string[] = [];
  const sinkSettings: SinkSettings = {
    mode: settings.mode, skipProtected: settings.skipProtected, silent: settings.silent,
    captionPolicy: settings.captionOverflow, forceCopy: hasCaptionEdits(settings.captions),
  };
  // Local sources (export, archive) are read once, by the first account or by no account at all.
  let local: Source | undefined;
  let localTop = 0;
  let from: ChatRef = settings.from;
  let onlyIds: Set<number> | undefined;
  if (from.kind === "export" && from.tdl) {
    // A tdl export names a chat and ids: read those ids from the chat itself.
    const tdl = await readTdlExport(from.path);
    const ids = tdlIds(tdl);
    if (ids.length === 0) throw new UsageError(`--from ${from.text}: the tdl export lists no messages`);
    onlyIds = new Set(ids);
    notices.push(`tdl export: ${ids.length} message ids of chat ${tdl.chatId}, read from Telegram`);
    from = { kind: "id", chatId: tdl.chatId.startsWith("-") ? tdl.chatId : `-100${tdl.chatId}`, text: from.text };
  } else if (settings.from.kind === "export") {
    const { chat, missing, absent } = settings.sourceOptions;
    const src = await withChatHint(openDesktopExport(`export:${settings.from.path}`, {
      ...(chat !== undefined ? { chat } : {}), ...(missing ? { missing } : {}), ...(absent ? { absent } : {}),
    }));
    local = src;
    localTop = src.posts.reduce((m, p) => Math.max(m, p.id), 0);
    if (src.report.missing.length) {
      notices.push(`${src.report.missing.length} posts of the export have no file (${settings.sourceOptions.missing === "skip" ? "skipped" : "sent as text"})`);
    }
  } else if (settings.from.kind === "dir") {
    const { chat, verify } = settings.sourceOptions;
    const src = await withChatHint(openArchiveSource(`dir:${settings.from.path}`, { ...(chat !== undefined ? { chat } : {}), ...(verify ? { verify } : {}) }));
    local = src;
    localTop = src.entries.reduce((m, e) => Math.max(m, e.id), 0);
  }
  const chatTargets = settings.to.filter((t) => t.kind !== "dir");
  const users = local ? handles.slice(0, chatTargets.length ? 1 : 0) : handles;
  if (!local && users.length === 0) throw new UsageError("no account to read the source with");
  if (local && chatTargets.length && users.length === 0) throw new UsageError("sending to a chat needs an account (--accounts, or --emulator)");

  // Archive sinks are shared by every account (one folder, one manifest writer).
  const dirSinks = new Map<string, Sink>();
  const dirSink = (ref: ChatRef & { kind: "dir" }): Sink => {
    let s = dirSinks.get(ref.path);
    if (!s) {
      // A dry run must not create the folder: a stand-in that names the target and never delivers.
      // The sink makes its folders when it writes the first post: a run that ends before leaves none behind.
      s = dryRun ? planOnlySink(`dir:${ref.path}`) : new ArchiveSink(`dir:${ref.path}`);
      dirSinks.set(ref.path, s);
    }
    return s;
  };

  const accounts: Account[] = [];
  let sourceChat: ChatHandle | undefined;
  let topId = localTop;
  for (const h of users) {
    let source: Source;
    if (local) source = local;
    else {
      const chat = await h.resolveChat(chatText(from));
      sourceChat ??= chat;
      if (topId === 0) topId = chat.topId ?? (await h.newestId(chat));
      source = h.source(chat);
    }
    const sinks: Sink[] = [];
    for (const t of settings.to) {
      if (t.kind === "dir") sinks.push(dirSink(t));
      else {
        const chat = await h.resolveChat(chatText(t));
        // Checked before anything is read or sent (plan too: it says what a copy would do).
        const refusal = await h.postRefusal?.(chat);
        if (refusal) {
          for (const s of dirSinks.values()) await (s as Sink & { close?: () => Promise<void> | void }).close?.();
          throw new UsageError(`account ${h.name} cannot post in ${t.text}${chat.chatId !== t.text ? ` (${chat.chatId})` : ""}: ${refusal}`);
        }
        sinks.push(h.sink(chat, sinkSettings));
      }
    }
    accounts.push({ name: h.name, source: observed(source, onPost), sinks: settings.delayMs > 0 ? sinks.map((s) => delayedSink(s, settings.delayMs)) : sinks });
  }
  if (local && users.length === 0) {
    accounts.push({ name: "local", source: observed(local, onPost), sinks: settings.to.map((t) => dirSink(t as ChatRef & { kind: "dir" })) });
  }
  const sourceKey = accounts[0]!.source.chatId;
  const targets = accounts[0]!.sinks.map((s) => s.target);
  if (targets.includes(sourceKey)) {
    for (const s of dirSinks.values()) await (s as Sink & { close?: () => Promise<void> | void }).close?.();
    throw new UsageError(`--to ${sourceKey} is the source itself`);
  }
  const close = async (): Promise<void> => {
    for (const s of dirSinks.values()) await (s as Sink & { close?: () => Promise<void> | void }).close?.();
  };
  // Archive folders are locked before any post is read or sent: one in use by another process ends the run
  // here (exit 2), not after the chat targets got their posts.
  if (!dryRun) {
    try {
      for (const s of dirSinks.values()) if (s instanceof ArchiveSink) await s.lock(sourceKey);
    } catch (e) {
      await close();
      throw e;
    }
  }
  return {
    sourceKey, accounts, targets, topId, notices, close,
    ...(sourceChat ? { sourceChat } : {}),
    ...(sourceChat?.username ? { sourceUsername: sourceChat.username } : settings.from.kind === "username" ? { sourceUsername: settings.from.username } : {}),
    ...(onlyIds ? { onlyIds, idSpan: { fromId: Math.min(...onlyIds), toId: Math.max(...onlyIds) } } : {}),
  };
}

/** A sink for `plan`: its target key, and an error if anything tried to deliver through it. */
function planOnlySink(target: string): Sink {
  return {
    target,
    needsBytes: () => true,
    deliver: () => throwError(() => new Error("plan sends nothing")),
  };
}

/** The user's range, narrowed to a tdl export's id span. */
export function jobRange(settings: JobSettings, job: OpenedJob): JobSettings["range"] {
  if (!job.idSpan) return settings.range;
  return {
    ...settings.range,
    fromId: Math.max(settings.range.fromId ?? 1, job.idSpan.fromId),
    toId: Math.min(settings.range.toId ?? job.idSpan.toId, job.idSpan.toId),
  };
}

/** The options that change what lands in the targets: part of the job id. */
export function outputOptions(settings: JobSettings): Record<string, unknown> {
  const f = settings.filters;
  return {
    mode: settings.mode,
    skipProtected: settings.skipProtected || undefined,
    kinds: f.kinds, skipKinds: f.skipKinds, minSize: f.minSize, maxSize: f.maxSize,
    text: f.text?.toString(), notText: f.notText?.toString(), hashtags: f.hashtags,
    dropCaptions: settings.captions.dropCaptions || undefined,
    replace: settings.captions.replacements?.map((r) => r.source),
    template: settings.captions.template?.source,
  };
}

/** Open the job's journal: by --job, or by the spec (created on first use). */
export function openJournal(settings: JobSettings, job: OpenedJob, create: boolean): JobJournal | undefined {
  const spec: JobSpec = { source: job.sourceKey, targets: job.targets, options: outputOptions(settings) };
  if (settings.jobId) {
    if (!existsSync(settings.journal)) throw new UsageError(`--journal ${settings.journal}: no such file (for --job ${settings.jobId})`);
    const j = SqliteJournal.openById(settings.journal, settings.jobId);
    if (!j) throw new UsageError(`--job ${settings.jobId}: no such job in ${settings.journal} (tgrelay status lists them)`);
    return j;
  }
  if (!create) {
    if (!existsSync(settings.journal)) return undefined;
    return SqliteJournal.openById(settings.journal, jobIdOf(spec));
  }
  return SqliteJournal.open(settings.journal, spec);
}

/**
 * For a dry run: what each target of the job already holds (also from jobs with other targets beside it),
 * recording nothing. With --job, that job.
 */
export function peekJournal(settings: JobSettings, job: OpenedJob): JobJournal | undefined {
  if (settings.jobId) return openJournal(settings, job, false);
  return SqliteJournal.peek(settings.journal, { source: job.sourceKey, targets: job.targets, options: outputOptions(settings) });
}

/** The relay hooks for filters and caption edits. */
export function relayHooks(settings: JobSettings, sourceUsername?: string): { skip?: (b: Batch) => string | undefined; transform?: (b: Batch) => Batch } {
  const hooks: { skip?: (b: Batch) => string | undefined; transform?: (b: Batch) => Batch } = {};
  if (hasFilters(settings.filters)) {
    const f = compileFilters(settings.filters);
    hooks.skip = (b) => batchSkipReason(b, f);
  }
  if (hasCaptionEdits(settings.captions)) {
    const edit = compileCaptionEdit(settings.captions);
    hooks.transform = (b) => editBatch(b, edit, settings.captions, (p) => postLink(p, sourceUsername));
  }
  return hooks;
}

export interface RunOptions {
  readonly io: CliIo;
  readonly logger: Logger;
  /** Send again only the posts the journal lists as failed (tgrelay retry). */
  readonly retry?: boolean;
  /** Display override (demo prints its own report after). */
  readonly display?: Display;
  /** The logger's stderr router: logs go above the bars while they are drawn. */
  readonly logRouter?: LogRouter;
}

/**
 * Run the job to its end or to a stop. First SIGINT/SIGTERM: graceful stop (the batch being sent finishes
 * and is committed); second: leave at once with 130.
 * @returns the exit code and the summary
 */
export async function runJob(settings: JobSettings, handles: readonly AccountHandle[], run: RunOptions): Promise<{ code: number; summary: RunSummary; job: OpenedJob }> {
  const tally = new Tally(Date.now, handles.map((h) => h.name));
  const job = await openJob(settings, handles, (p) => tally.noteKind(p.id, postKind(p)));
  const widened = await widenToAlbums(job.accounts[0]!.source, jobRange(settings, job));
  const range = {
    ...widened.range,
    toId: Math.min(widened.range.toId ?? job.topId, job.topId),
  };
  if (range.toId < (range.fromId ?? 1)) {
    await job.close();
    throw new UsageError(`--from-id ${range.fromId} is past the newest post (${job.topId})`);
  }
  // Only a copy creates the journal (or its job): a retry of a job never run has nothing to send.
  const existing = run.retry ? openJournal(settings, job, false) : undefined;
  if (run.retry && !existing) {
    run.io.stdout.write(`Nothing to retry: ${settings.journal} has no job with these options (tgrelay status lists the jobs).\n`);
    await job.close();
    return { code: EXIT.ok, summary: tally.summary(), job };
  }
  const journal = existing ?? openJournal(settings, job, true)!;
  let onlyIds: ReadonlySet<number> | undefined = job.onlyIds;
  if (run.retry) {
    onlyIds = new Set(journal.failedPostIds().filter((id) => !job.onlyIds || job.onlyIds.has(id)));
    if (onlyIds.size === 0) {
      journal.close();
      run.io.stdout.write(`Nothing to retry: job ${journal.jobId} has no failed posts.\n`);
      await job.close();
      return { code: EXIT.ok, summary: tally.summary(), job };
    }
  }
  let unlock: () => void;
  try {
    unlock = lockJob(settings.journal, journal.jobId);
  } catch (e) {
    journal.close();
    await job.close();
    throw e;
  }
  // Ids of the range: an upper bound of the posts (deleted and service messages have ids too), for the ETA.
  tally.total = onlyIds ? onlyIds.size : range.toId - (range.fromId ?? 1) + 1;
  const hooks = relayHooks(settings, job.sourceUsername);
  const display = run.display ?? chooseDisplay(settings.progress, settings.json, tally, run.io.stdout, run.io.stderr);
  for (const n of [...job.notices, ...widened.notices]) display.note(n);
  if (run.logRouter && display instanceof BarsDisplay) run.logRouter.sink = (line) => display.note(line);
  run.logger.info({ job: journal.jobId, source: job.sourceKey, targets: job.targets, range, accounts: job.accounts.map((a) => a.name) }, "job starts");

  const stop$ = new Subject<void>();
  let signals = 0;
  const onSignal = (sig: string): void => {
    signals++;
    if (signals === 1) {
      display.note(`${sig}: stopping after the batch being sent (again to stop at once)`);
      run.logger.warn({ signal: sig }, "graceful stop");
      stop$.next();
    } else {
      run.logger.warn({ signal: sig }, "stop at once");
      try { journal.close(); } catch { /* leaving anyway */ }
      run.io.exitNow(EXIT.interrupted);
    }
  };
  const onInt = (): void => onSignal("SIGINT");
  const onTerm = (): void => onSignal("SIGTERM");
  run.io.signals.on("SIGINT", onInt);
  run.io.signals.on("SIGTERM", onTerm);
  let error: unknown;
  const failedHere = new Map<string, Set<number>>();
  const begunHere = new Map<string, Set<number>>();
  try {
    const events$ = schedule({
      accounts: job.accounts,
      journal: failureRecorder(journal, failedHere, begunHere),
      range,
      ...(settings.chunk !== undefined ? { chunkSize: settings.chunk } : {}),
      order: settings.order,
      stop$,
      budgetBytesPerAccount: settings.budget,
      ...(onlyIds ? { onlyIds } : {}),
      relay: {
        concurrency: settings.concurrency,
        ...hooks,
      },
    });
    await lastValueFrom(events$.pipe(map((e) => asRecorded(e, failedHere, tally)), tap((e) => {
      tally.add(e);
      display.event(e);
      if (e.type === "failed") run.logger.warn({ postIds: e.postIds, target: e.target, reason: e.reason }, "failed");
    })), { defaultValue: undefined });
  } catch (e) {
    error = e;
  } finally {
    run.io.signals.off("SIGINT", onInt);
    run.io.signals.off("SIGTERM", onTerm);
  }
  await job.close();
  // A Fatal error (no right to post, a chat gone) ends the run: its sends still "in flight" did not post.
  // They are recorded as failed (status and retry see them, the summary counts them), not left in flight.
  if (error instanceof Fatal) {
    const left = new Map<string, number[]>();
    for (const f of journal.inFlight()) {
      if (begunHere.get(f.target)?.has(f.postId)) left.set(f.target, [...(left.get(f.target) ?? []), f.postId]);
    }
    for (const [target, ids] of left) {
      journal.fail(target, ids, error.reason);
      tally.addFailure(ids, error.reason, target);
    }
  }
  const summary = tally.summary();
  // A full run knows how many posts the range holds: `status` shows it.
  if (!error && !summary.stopped && signals === 0 && !onlyIds) journal.setTotal(tally.kinds.size);
  if (run.logRouter) run.logRouter.sink = undefined;
  display.finish(summary);
  journal.close();
  unlock();
  if (error) throw error instanceof Error ? error : new Fatal(String(error), "unknown");
  const code = signals > 0 || summary.stopped ? EXIT.interrupted : summary.posts.failed > 0 ? EXIT.failed : EXIT.ok;
  return { code, summary, job };
}

/** --delay: each send to this target waits `ms` after the previous one ended (the first goes at once). */
export function delayedSink(sink: Sink, ms: number): Sink {
  let last = 0;
  return {
    target: sink.target,
    needsBytes: (b) => sink.needsBytes(b),
    deliver: (loaded, ctx) => defer(() => {
      const wait = last === 0 ? 0 : Math.max(0, last + ms - Date.now());
      return timer(wait).pipe(concatMap(() => sink.deliver(loaded, ctx)), finalize(() => { last = Date.now(); }));
    }),
  };
}

/** The export's and archive's own messages, with the command-line option that answers them. */
async function withChatHint<T>(opening: Promise<T>): Promise<T> {
  try {
    return await opening;
  } catch (e) {
    if (e instanceof UsageError && /chats[,:] choose/u.test(e.message)) throw new UsageError(`${e.message}; give it with --chat`);
    if (e instanceof UsageError && /^[^:]+\.json: message \d+ names .*, which is not there$/u.test(e.message)) {
      throw new UsageError(`${e.message} (--absent missing treats such files as missing: see --missing)`);
    }
    throw e;
  }
}

/** The journal, noting which (target, post) it records as failed in this run, and which sends it begins. */
function failureRecorder(journal: JobJournal, failed: Map<string, Set<number>>, begun?: Map<string, Set<number>>): JobJournal {
  const note = (m: Map<string, Set<number>>, to: string, ids: Iterable<number>): void => {
    let set = m.get(to);
    if (!set) m.set(to, (set = new Set()));
    for (const id of ids) set.add(id);
  };
  return new Proxy(journal, {
    get(target, prop) {
      if (prop === "begin" && begun) {
        return (to: string, batch: Batch, account: string): void => {
          note(begun, to, batch.posts.map((p) => p.id));
          target.begin(to, batch, account);
        };
      }
      if (prop === "fail") {
        return (to: string, postIds: readonly number[], reason: string): void => {
          let set = failed.get(to);
          if (!set) failed.set(to, (set = new Set()));
          for (const id of postIds) set.add(id);
          target.fail(to, postIds, reason);
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * A post a sink refused (SkipPost: --caption-overflow fail, an empty file) is recorded as failed by the
 * journal (status counts it, retry sends it): the run reports it as failed too, so the summary, the exit
 * code (1) and status agree. Deliberate skips (filters, skip-protected, already delivered) stay skipped.
 */
function asRecorded(e: RunEvent, failed: ReadonlyMap<string, ReadonlySet<number>>, tally: Tally): RunEvent {
  if (e.type !== "skipped" || !e.target) return e;
  const set = failed.get(e.target);
  if (!set || !e.postIds.every((id) => set.has(id))) return e;
  tally.recountAsFailed(e.postIds.length);
  const { type: _skipped, ...rest } = e;
  return { ...rest, type: "failed" } as RunEvent;
}