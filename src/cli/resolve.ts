/**
 * From raw option values (flags, env, config file) to typed, validated settings. Everything is checked here,
 * before anything is read or sent: the first bad value throws a UsageError whose message is one line.
 */
import Database from "better-sqlite3";
import { existsSync, readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../model/errors.js";
import type { IdRange } from "../model/post.js";
import { hasCaptionEdits, type CaptionEditSpec } from "../pipeline/captions.js";
import type { FilterSpec } from "../pipeline/filters.js";
import type { RawOptions, RawValue } from "./config.js";
import { checkApiHash, checkSessionString, noteSecret, readSecretFile, sessionEnvOf } from "./secrets.js";
import { withStoredJob } from "./storedJob.js";
import {
  parseAccountName, parseCaptionTemplate, parseChatRef, parseChoice, parseDate, parseDuration, parseHashtag,
  parseInteger, parseKinds, parseMessageId, parseRegex, parseReplaceRule, parseSize, type ChatRef,
} from "./values.js";

export type Mode = "auto" | "forward" | "copy" | "reupload";
export type Order = "strict" | "relaxed";
export type ProgressStyle = "auto" | "bars" | "lines" | "none";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace";

/** Settings every command has. */
export interface CommonSettings {
  readonly json: boolean;
  readonly progress: ProgressStyle;
  readonly logLevel: LogLevel;
  readonly logFile?: string;
  readonly configPath?: string;
}

/** Where accounts come from: an emulated world, or session files and api credentials. */
export type AccountSettings =
  | { readonly kind: "emulator"; readonly world: string; readonly accounts: readonly string[] }
  | {
    readonly kind: "telegram"; readonly apiId: number; readonly apiHash: string; readonly sessions: string;
    readonly accounts: readonly string[];
  };

/** Settings of copy, plan and retry: one job. */
export interface JobSettings extends CommonSettings {
  readonly from: ChatRef;
  readonly to: readonly ChatRef[];
  readonly mode: Mode;
  readonly skipProtected: boolean;
  readonly range: IdRange;
  readonly filters: FilterSpec;
  readonly captions: CaptionEditSpec;
  readonly captionOverflow: "split" | "truncate" | "fail";
  readonly concurrency: number;
  readonly budget: number;
  readonly order: Order;
  readonly delayMs: number;
  /** Ids per chunk; undefined = the scheduler's default (1 in strict order, 100 relaxed). */
  readonly chunk?: number;
  readonly silent: boolean;
  readonly journal: string;
  readonly jobId?: string;
  /** How a local source is opened: --chat (export or archive), --missing/--absent (export), --verify (archive). */
  readonly sourceOptions: SourceOptions;
  /** Undefined when no target or source needs an account (export: to dir: only). */
  readonly accounts?: AccountSettings;
}

/** Options of a local source (export:PATH, dir:PATH); empty for a Telegram source. */
export interface SourceOptions {
  readonly chat?: string;
  readonly missing?: "text" | "skip";
  readonly absent?: "error" | "missing";
  readonly verify?: boolean;
}

/** A path as the user wrote it: "~/" is the home folder, relative paths start at `cwd`. */
export function userPath(cwd: string, p: string): string {
  return resolve(cwd, p === "~" ? homedir() : p.startsWith("~/") ? join(homedir(), p.slice(2)) : p);
}

function origin(raw: RawValue | undefined, name: string): string {
  return raw?.origin ?? `--${name}`;
}

/** Re-word a value error so it names the env variable or config file the value came from. */
function located<T>(raw: RawValue | undefined, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof UsageError && raw && !raw.origin.startsWith("--")) {
      const at = e.message.indexOf(": ");
      throw new UsageError(`${e.message.slice(0, at)} (from ${raw.origin})${e.message.slice(at)}`);
    }
    throw e;
  }
}

class Reader {
  constructor(readonly raw: RawOptions) {}
  str(key: string): string | undefined {
    const v = this.raw.get(key)?.value;
    return v === undefined ? undefined : String(v);
  }
  bool(key: string): boolean {
    return this.raw.get(key)?.value === true;
  }
  list(key: string): string[] {
    const v = this.raw.get(key)?.value;
    return v === undefined ? [] : Array.isArray(v) ? v : [String(v)];
  }
  /** Parse a present value with its origin in the error. */
  parse<T>(key: string, name: string, f: (v: string) => T): T | undefined {
    const raw = this.raw.get(key);
    if (raw === undefined) return undefined;
    return located(raw, () => f(String(raw.value)));
  }
  parseList<T>(key: string, f: (v: string[]) => T): T | undefined {
    const raw = this.raw.get(key);
    if (raw === undefined) return undefined;
    return located(raw, () => f(this.list(key)));
  }
}

/** Settings common to all commands. */
export function resolveCommon(raw: RawOptions, configPath?: string, cwd = process.cwd()): CommonSettings {
  const r = new Reader(raw);
  const logFile = r.parse("logFile", "log-file", (v) => {
    const p = userPath(cwd, v);
    if (!existsSync(dirname(p))) throw new UsageError(`--log-file ${JSON.stringify(v)}: folder ${dirname(p)} does not exist`);
    if (existsSync(p) && !statSync(p).isFile()) throw new UsageError(`--log-file ${JSON.stringify(v)}: ${p} is ${statSync(p).isDirectory() ? "a folder" : "not a file"}`);
    return p;
  });
  const logLevel = r.parse("logLevel", "log-level", (v) => parseChoice("log-level", v, ["fatal", "error", "warn", "info", "debug", "trace"] as const))
    ?? (logFile ? "info" : "warn");
  const progress = r.parse("progress", "progress", (v) => parseChoice("progress", v, ["auto", "bars", "lines", "none"] as const)) ?? "auto";
  return { json: r.bool("json"), progress, logLevel, ...(logFile ? { logFile } : {}), ...(configPath ? { configPath } : {}) };
}

/** Names of accounts: --accounts, else every session file (or every emulator account) there is. */
function accountNames(r: Reader, available: () => string[]): string[] {
  const given = r.parseList("accounts", (vs) => vs.flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean).map((s) => parseAccountName("accounts", s)));
  const names = given && given.length > 0 ? given : available();
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new UsageError(`--accounts: ${n} is listed twice`);
    seen.add(n);
  }
  return names;
}

/**
 * Session files for `tgrelay accounts` without --check: names (from --accounts or the folder) and the
 * folder, without api id/hash (nothing connects) and without reading the sessions.
 */
export function resolveSessionFiles(raw: RawOptions, cwd = process.cwd()): { sessions: string; accounts: string[] } {
  const r = new Reader(raw);
  const sessions = userPath(cwd, r.str("sessions") ?? defaultSessions());
  return { sessions, accounts: accountNames(r, () => listSessions(sessions)) };
}

/** Default folder of session files. */
export function defaultSessions(): string {
  return join(homedir(), ".tgrelay", "sessions");
}

/**
 * The tables of an existing SQLite file given as an option (none for an empty file), or a UsageError when it
 * is a folder or not SQLite: opening would fail with SQLite's words, or silently add tables to any file.
 */
export function sqliteTables(option: string, given: string, p: string, what: string): Set<string> {
  const bad = (why: string) => new UsageError(`--${option} ${JSON.stringify(given)}: ${p} is not ${what} (${why})`);
  const st = statSync(p);
  if (!st.isFile()) throw bad(st.isDirectory() ? "a folder" : "not a file");
  if (st.size === 0) return new Set();
  let db: Database.Database | undefined;
  try {
    db = new Database(p, { readonly: true, fileMustExist: true });
    return new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
  } catch {
    throw bad("not an SQLite database");
  } finally {
    db?.close();
  }
}

/** Refuse a file that is not an emulated world before the emulator opens it (and makes it one). */
function checkWorldFile(given: string, p: string): void {
  const tables = sqliteTables("emulator", given, p, "an emulated world");
  if (tables.size === 0) throw new UsageError(`--emulator ${JSON.stringify(given)}: ${p} is not an emulated world (an empty database)`);
  if (!tables.has("accounts") || !tables.has("chats") || !tables.has("messages")) {
    throw new UsageError(`--emulator ${JSON.stringify(given)}: ${p} is not an emulated world (other tables)`);
  }
}

/** Refuse an existing --journal that is a folder, not SQLite, or another database (an emulated world, say). */
export function checkJournalFile(given: string, p: string): void {
  if (!existsSync(p)) return;
  const tables = sqliteTables("journal", given, p, "a tgrelay journal");
  if (tables.size > 0 && !tables.has("job")) throw new UsageError(`--journal ${JSON.stringify(given)}: ${p} is not a tgrelay journal (other tables)`);
}

/**
 * Accounts: with --emulator, names in the emulated world (checked when the world opens); otherwise api id,
 * api hash and one 0600 session file (or TGRELAY_SESSION_NAME) per account, all checked now.
 */
export function resolveAccounts(raw: RawOptions, env: NodeJS.ProcessEnv, needSessions = true, cwd = process.cwd()): AccountSettings {
  const r = new Reader(raw);
  const world = r.parse("emulator", "emulator", (v) => {
    const p = userPath(cwd, v);
    if (!existsSync(p)) throw new UsageError(`--emulator ${JSON.stringify(v)}: no emulated world at ${p}`);
    checkWorldFile(v, p);
    return p;
  });
  if (world) return { kind: "emulator", world, accounts: accountNames(r, () => []) };
  const apiId = r.parse("apiId", "api-id", (v) => parseInteger("api-id", v, 1, 2 ** 31 - 1));
  if (apiId === undefined) {
    throw new UsageError("no api_id: set --api-id, TGRELAY_API_ID or \"apiId\" in tgrelay.config.json (get one at my.telegram.org)");
  }
  const hashRaw = raw.get("apiHash");
  const hashFile = r.str("apiHashFile");
  let apiHash: string;
  if (hashRaw) apiHash = checkApiHash(String(hashRaw.value), hashRaw.origin);
  else if (hashFile) apiHash = checkApiHash(readSecretFile(userPath(cwd, hashFile), "api hash file"), userPath(cwd, hashFile));
  else throw new UsageError("no api_hash: set TGRELAY_API_HASH or --api-hash-file FILE (mode 0600)");
  const sessions = userPath(cwd, r.str("sessions") ?? defaultSessions());
  const accounts = accountNames(r, () => listSessions(sessions));
  if (needSessions) {
    if (accounts.length === 0) {
      throw new UsageError(`no accounts: no session files in ${sessions}; run \`tgrelay login --account NAME\` first`);
    }
    for (const name of accounts) {
      const fromEnv = env[sessionEnvOf(name)];
      if (fromEnv) {
        checkSessionString(noteSecret(fromEnv), `account ${name}: ${sessionEnvOf(name)}`, name);
        continue;
      }
      const file = join(sessions, `${name}.session`);
      if (!existsSync(file)) throw new UsageError(`account ${name}: no session ${file}; run \`tgrelay login --account ${name}\``);
      checkSessionString(noteSecret(readSecretFile(file, `account ${name}`)), `account ${name}: ${file}`, name);
    }
  }
  noteSecret(apiHash);
  return { kind: "telegram", apiId, apiHash, sessions, accounts };
}

/** Account names that have a session file in the folder. */
export function listSessions(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir).filter((f) => f.endsWith(".session")).map((f) => f.slice(0, -8)).sort();
}

/** Settings of copy/plan/retry, all validated. */
export function resolveJob(given: RawOptions, env: NodeJS.ProcessEnv, command: "copy" | "plan" | "retry", configPath?: string, cwd = process.cwd()): JobSettings {
  const raw = withStoredJob(given, cwd);
  const common = resolveCommon(raw, configPath, cwd);
  const r = new Reader(raw);
  const from = r.parse("from", "from", (v) => parseChatRef("from", v, "source", cwd));
  if (!from) throw new UsageError(`${command} needs --from (a chat, export:PATH or dir:PATH), or --job ID of a job in the journal; see tgrelay ${command} --help`);
  const to = r.parseList("to", (vs) => vs.flatMap((v) => v.split(",").map((s) => s.trim()).filter(Boolean)).map((v) => parseChatRef("to", v, "target", cwd))) ?? [];
  if (to.length === 0) throw new UsageError(`${command} needs at least one --to (a chat or dir:PATH); see tgrelay ${command} --help`);
  const keys = new Set<string>();
  for (const t of to) {
    const k = t.kind === "dir" ? `dir:${t.path}` : t.text;
    if (keys.has(k)) throw new UsageError(`--to ${JSON.stringify(t.text)} is given twice`);
    keys.add(k);
    if (from.kind === "dir" && t.kind === "dir" && t.path === from.path) throw new UsageError(`--to ${JSON.stringify(t.text)} is the source folder`);
  }
  const mode = r.parse("mode", "mode", (v) => parseChoice("mode", v, ["auto", "forward", "copy", "reupload"] as const)) ?? "auto";
  const fromId = r.parse("fromId", "from-id", (v) => parseMessageId("from-id", v));
  const toId = r.parse("toId", "to-id", (v) => parseMessageId("to-id", v));
  if (fromId !== undefined && toId !== undefined && fromId > toId) {
    throw new UsageError(`--from-id ${fromId} is after --to-id ${toId}; the range is inclusive, from <= to`);
  }
  const since = r.parse("since", "since", (v) => parseDate("since", v));
  const until = r.parse("until", "until", (v) => parseDate("until", v, true));
  if (since !== undefined && until !== undefined && since > until) {
    throw new UsageError(`--since ${r.str("since")} is after --until ${r.str("until")}`);
  }
  const range: IdRange = {
    ...(fromId !== undefined ? { fromId } : {}), ...(toId !== undefined ? { toId } : {}),
    ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}),
  };
  const kinds = r.parseList("kind", (vs) => parseKinds("kind", vs));
  const skipKinds = r.parseList("skipKind", (vs) => parseKinds("skip-kind", vs));
  const both = kinds?.find((k) => skipKinds?.includes(k));
  if (both) throw new UsageError(`--kind and --skip-kind both name ${both}`);
  const minSize = r.parse("minSize", "min-size", (v) => parseSize("min-size", v));
  const maxSize = r.parse("maxSize", "max-size", (v) => parseSize("max-size", v));
  if (minSize !== undefined && maxSize !== undefined && minSize > maxSize) {
    throw new UsageError(`--min-size ${r.str("minSize")} is larger than --max-size ${r.str("maxSize")}`);
  }
  const text = r.parse("text", "text", (v) => parseRegex("text", v));
  const notText = r.parse("notText", "not-text", (v) => parseRegex("not-text", v));
  const hashtags = r.parseList("hashtag", (vs) => vs.flatMap((v) => v.split(",")).filter((v) => v.trim()).map((v) => parseHashtag("hashtag", v)));
  const filters: FilterSpec = {
    ...(kinds?.length ? { kinds } : {}), ...(skipKinds?.length ? { skipKinds } : {}),
    ...(minSize !== undefined ? { minSize } : {}), ...(maxSize !== undefined ? { maxSize } : {}),
    ...(text ? { text } : {}), ...(notText ? { notText } : {}), ...(hashtags?.length ? { hashtags } : {}),
  };
  const dropCaptions = r.bool("dropCaptions");
  const template = r.parse("captionTemplate", "caption-template", (v) => parseCaptionTemplate("caption-template", v));
  const replacements = r.parseList("replace", (vs) => vs.map((v) => parseReplaceRule("replace", v))) ?? [];
  if (dropCaptions && replacements.length) throw new UsageError("--drop-captions and --replace together: the replacements would have no text to work on");
  const captions: CaptionEditSpec = { dropCaptions, replacements, ...(template ? { template } : {}) };
  if (hasCaptionEdits(captions) && mode === "forward") {
    throw new UsageError("--mode forward cannot change captions (a forward is the original message); use --mode auto or copy");
  }
  if ((from.kind === "dir" || (from.kind === "export" && !from.tdl)) && mode === "forward" && to.some((t) => t.kind !== "dir")) {
    throw new UsageError(`--mode forward needs a Telegram source; ${from.text} has no messages to forward (use auto or reupload)`);
  }
  const sourceOptions = resolveSourceOptions(r, from);
  const captionOverflow = r.parse("captionOverflow", "caption-overflow", (v) => parseChoice("caption-overflow", v, ["split", "truncate", "fail"] as const)) ?? "split";
  const concurrency = r.parse("concurrency", "concurrency", (v) => parseInteger("concurrency", v, 1, 32)) ?? 4;
  const budget = r.parse("budget", "budget", (v) => {
    const n = parseSize("budget", v);
    if (n < 1024 * 1024) throw new UsageError(`--budget ${JSON.stringify(v)}: at least 1MB`);
    return n;
  }) ?? 256 * 1024 * 1024;
  const order = r.parse("order", "order", (v) => parseChoice("order", v, ["strict", "relaxed"] as const)) ?? "strict";
  const delayMs = r.parse("delay", "delay", (v) => {
    const ms = parseDuration("delay", v);
    if (ms > 3_600_000) throw new UsageError(`--delay ${JSON.stringify(v)}: at most 1h`);
    return ms;
  }) ?? 0;
  const chunk = r.parse("chunk", "chunk", (v) => parseInteger("chunk", v, 1, 10_000));
  const journal = userPath(cwd, r.str("journal") ?? "tgrelay.db");
  if (!existsSync(dirname(journal))) throw new UsageError(`--journal ${JSON.stringify(r.str("journal"))}: folder ${dirname(journal)} does not exist`);
  checkJournalFile(r.str("journal") ?? "tgrelay.db", journal);
  const jobId = r.parse("job", "job", (v) => {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.:-]{0,127}$/u.test(v)) throw new UsageError(`--job ${JSON.stringify(v)}: letters, digits and _ . : - only`);
    return v;
  });
  const needsTelegram = from.kind === "username" || from.kind === "id" || (from.kind === "export" && from.tdl === true) || to.some((t) => t.kind !== "dir");
  const accounts = needsTelegram || raw.has("emulator") ? resolveAccounts(raw, env, true, cwd) : undefined;
  if (accounts?.kind === "telegram" && accounts.accounts.length === 0) throw new UsageError("no accounts to use");
  return {
    ...common, from, to, sourceOptions, mode, skipProtected: r.bool("skipProtected"), range, filters, captions, captionOverflow,
    concurrency, budget, order, delayMs, ...(chunk !== undefined ? { chunk } : {}), silent: r.bool("silent"), journal, ...(jobId ? { jobId } : {}),
    ...(accounts ? { accounts } : {}),
  };
}

/** --chat, --missing, --absent, --verify: checked against the source before anything is read. */
function resolveSourceOptions(r: Reader, from: ChatRef): SourceOptions {
  const desktop = from.kind === "export" && !from.tdl;
  const chat = r.parse("chat", "chat", (v) => {
    if (!v.trim()) throw new UsageError("--chat: give the chat's name or id");
    if (!desktop && from.kind !== "dir") throw new UsageError(`--chat ${JSON.stringify(v)}: only for an export:PATH or dir:PATH source (${from.text} is one chat)`);
    return v.trim();
  });
  const onlyExport = (name: string) => (): never => {
    throw new UsageError(`--${name}: only for a Telegram Desktop export:PATH source (not ${from.text})`);
  };
  const missing = r.parse("missing", "missing", (v) => (desktop ? parseChoice("missing", v, ["text", "skip"] as const) : onlyExport("missing")()));
  const absent = r.parse("absent", "absent", (v) => (desktop ? parseChoice("absent", v, ["error", "missing"] as const) : onlyExport("absent")()));
  const verify = r.bool("verify");
  if (verify && from.kind !== "dir") throw new UsageError(`--verify: only for a dir:PATH source (it checks the archived files' SHA-256; not ${from.text})`);
  return {
    ...(chat !== undefined ? { chat } : {}), ...(missing ? { missing } : {}), ...(absent ? { absent } : {}), ...(verify ? { verify } : {}),
  };
}

/** A default job id: stable for the same source and targets, so a rerun resumes. */
export function defaultJobId(from: ChatRef, to: readonly ChatRef[]): string {
  const key = (c: ChatRef): string => (c.kind === "username" ? `@${c.username.toLowerCase()}` : c.kind === "id" ? c.chatId : `${c.kind}:${c.path}`);
  return `${key(from)}->${to.map(key).join(",")}`;
}
