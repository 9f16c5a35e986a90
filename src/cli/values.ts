/**
 * Parsers of option values. Each returns the typed value or throws a UsageError whose message is the one
 * line the user sees: it names the option, quotes the value and says what is expected.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { UsageError } from "../model/errors.js";
import {
  parseReplacement, parseTemplate, type CaptionTemplate, type Replacement,
} from "../pipeline/captions.js";
import { POST_KINDS, type PostKind } from "../pipeline/filters.js";

/** A chat or a local place, as the user named it. */
export type ChatRef =
  | { readonly kind: "username"; readonly username: string; readonly text: string }
  | { readonly kind: "id"; readonly chatId: string; readonly text: string }
  /** `tdl`: a tdl chat export, a list of ids to read from the Telegram chat it names. */
  | { readonly kind: "export"; readonly path: string; readonly text: string; readonly tdl?: boolean }
  | { readonly kind: "dir"; readonly path: string; readonly text: string };

/** Whether a file is a tdl chat export ({"id":N,"messages":[...), from its first bytes. */
export function isTdlExport(path: string): boolean {
  if (!statSync(path).isFile()) return false;
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, 4096, 0);
    return /^\s*\{\s*"id"\s*:\s*-?\d+\s*,\s*"messages"\s*:/u.test(buf.subarray(0, n).toString("utf8"));
  } finally {
    closeSync(fd);
  }
}

const USERNAME = /^[a-zA-Z][a-zA-Z0-9_]{3,31}$/u;

function bad(option: string, value: unknown, expected: string): UsageError {
  return new UsageError(`--${option} ${JSON.stringify(String(value))}: ${expected}`);
}

/** A path after export: or dir:, with ~ and ~/ meaning the home folder (the shell does not expand them there). */
function prefixedPath(cwd: string, p: string): string {
  return resolve(cwd, p === "~" ? homedir() : p.startsWith("~/") ? join(homedir(), p.slice(2)) : p);
}

/**
 * A chat reference: @username, t.me/username (with or without https://), t.me/c/ID (a private channel),
 * a -100… id, export:PATH (a Telegram Desktop or tdl export) or dir:PATH (a tgrelay archive folder).
 * Invite links and message links are refused with what to write instead.
 */
export function parseChatRef(option: string, value: string, role: "source" | "target", cwd = process.cwd()): ChatRef {
  const text = value.trim();
  if (text.startsWith("export:")) {
    if (role === "target") throw bad(option, value, "an export can only be read (--from); write to dir:PATH instead");
    const path = prefixedPath(cwd, text.slice(7));
    if (!text.slice(7)) throw bad(option, value, "export: needs a path (the folder with result.json, or the JSON file)");
    if (!existsSync(path)) throw bad(option, value, `no such file or folder ${path}`);
    return isTdlExport(path) ? { kind: "export", path, text, tdl: true } : { kind: "export", path, text };
  }
  if (text.startsWith("dir:")) {
    if (!text.slice(4)) throw bad(option, value, "dir: needs a folder path");
    const path = prefixedPath(cwd, text.slice(4));
    if (role === "source" && !existsSync(path)) throw bad(option, value, `no such folder ${path}`);
    if (existsSync(path) && !statSync(path).isDirectory()) throw bad(option, value, `${path} is not a folder`);
    return { kind: "dir", path, text };
  }
  if (/^-100\d{5,13}$/u.test(text)) return { kind: "id", chatId: text, text };
  if (/^-?\d+$/u.test(text)) {
    throw bad(option, value, "a channel id is written with its -100 prefix, e.g. -1001234567890");
  }
  if (text.startsWith("@")) {
    const u = text.slice(1);
    if (!USERNAME.test(u)) throw bad(option, value, "not a valid @username (5-32 letters, digits or _, starting with a letter)");
    return { kind: "username", username: u, text };
  }
  const link = /^(?:https?:\/\/)?(?:www\.)?(?:t|telegram)\.me\/(.*)$/u.exec(text);
  if (link) {
    const parts = link[1]!.replace(/[?#].*$/u, "").split("/").filter(Boolean);
    const [first, second, third] = parts;
    if (!first) throw bad(option, value, "the link names no chat");
    if (first.startsWith("+") || first === "joinchat") {
      throw bad(option, value, "invite links cannot be used; join the chat, then give its @username or -100 id");
    }
    if (first === "c") {
      if (!second || !/^\d+$/u.test(second)) throw bad(option, value, "a t.me/c/ link needs the channel id, t.me/c/1234567890");
      if (third !== undefined) throw bad(option, value, `a message link; give the chat t.me/c/${second} and --from-id ${third}`);
      return { kind: "id", chatId: `-100${second}`, text };
    }
    if (first === "s") return parseChatRef(option, `https://t.me/${parts.slice(1).join("/")}`, role, cwd);
    if (!USERNAME.test(first)) throw bad(option, value, "the link's username is not valid");
    if (second !== undefined) throw bad(option, value, `a message link; give the chat t.me/${first} and --from-id ${second}`);
    return { kind: "username", username: first, text };
  }
  throw bad(option, value, "expected @username, t.me/name, t.me/c/ID, -100ID, export:PATH or dir:PATH");
}

/** A positive message id. */
export function parseMessageId(option: string, value: unknown): number {
  const n = typeof value === "number" ? value : /^\d+$/u.test(String(value).trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw bad(option, value, "expected a message id, a whole number of at least 1");
  return n;
}

/** A whole number in [min, max]. */
export function parseInteger(option: string, value: unknown, min: number, max: number): number {
  const s = String(value).trim();
  const n = /^-?\d+$/u.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw bad(option, value, `expected a whole number from ${min} to ${max}`);
  return n;
}

const SIZE_UNITS: Record<string, number> = {
  "": 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4,
};

/** A byte size: 256MB, 1.5GB, 512k, 1000 (bytes). Units are binary: K, KB and KiB all mean 1024. */
export function parseSize(option: string, value: unknown): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/u.exec(String(value));
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw bad(option, value, "expected a size such as 512KB, 256MB or 2GB");
  const n = Math.round(Number(m[1]) * unit);
  // Past 2^53 bytes (8 PiB) byte counts stop being exact: no file or budget is that large.
  if (!Number.isSafeInteger(n)) throw bad(option, value, "too large (at most 8192TB)");
  return n;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration in milliseconds: 500ms, 2s, 1.5m, 1h; a bare number is seconds. */
export function parseDuration(option: string, value: unknown): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/u.exec(String(value));
  if (!m) throw bad(option, value, "expected a duration such as 500ms, 2s or 1m (a bare number is seconds)");
  return Math.round(Number(m[1]) * DURATION_UNITS[m[2] ?? "s"]!);
}

/**
 * A date as unix seconds: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM], or unix seconds. Times without a zone
 * are UTC. With `endOfDay` a plain date means its last second (so --until 2024-05-31 includes that day).
 */
export function parseDate(option: string, value: unknown, endOfDay = false): number {
  const s = String(value).trim();
  if (/^\d{9,11}$/u.test(s)) return Number(s);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(s);
  const full = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?$/u.exec(s);
  let ms = NaN;
  if (day) {
    ms = Date.UTC(+day[1]!, +day[2]! - 1, +day[3]!);
    const d = new Date(ms);
    if (d.getUTCMonth() !== +day[2]! - 1 || d.getUTCDate() !== +day[3]!) ms = NaN;
    else if (endOfDay) ms += 86_399_000;
  } else if (full) {
    ms = Date.parse(`${full[1]}-${full[2]}-${full[3]}T${full[4]}:${full[5]}:${full[6] ?? "00"}${full[7] ?? "Z"}`);
    if (+full[4]! > 23 || +full[5]! > 59 || +(full[6] ?? 0) > 59) ms = NaN;
  }
  if (!Number.isFinite(ms)) throw bad(option, value, "expected a date YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM] or unix seconds");
  return Math.floor(ms / 1000);
}

/** A regex (JavaScript syntax, Unicode mode); `/.../i` form allowed for flags i, m, s. */
export function parseRegex(option: string, value: unknown): RegExp {
  const s = String(value);
  const slashed = /^\/([\s\S]*)\/([a-z]*)$/u.exec(s);
  const source = slashed ? slashed[1]! : s;
  const flags = slashed ? slashed[2]! : "";
  for (const f of flags) if (!"ims".includes(f)) throw bad(option, value, `regex flag "${f}" is not allowed (use i, m or s)`);
  if (source.length === 0) throw bad(option, value, "the regex is empty");
  try {
    return new RegExp(source, `${flags}u`);
  } catch (e) {
    throw bad(option, value, `not a valid regex (${(e as Error).message.replace(/^Invalid regular expression: /u, "")})`);
  }
}

/** A --replace rule. */
export function parseReplaceRule(option: string, value: unknown): Replacement {
  try {
    return parseReplacement(String(value));
  } catch (e) {
    throw bad(option, value, `${(e as Error).message}; write FROM=TO or /FROM/i=TO`);
  }
}

/** A --caption-template. */
export function parseCaptionTemplate(option: string, value: unknown): CaptionTemplate {
  try {
    return parseTemplate(String(value));
  } catch (e) {
    throw bad(option, value, (e as Error).message);
  }
}

/** One of a fixed set of words. */
export function parseChoice<T extends string>(option: string, value: unknown, choices: readonly T[]): T {
  const s = String(value).trim();
  if (!(choices as readonly string[]).includes(s)) throw bad(option, value, `expected one of ${choices.join(", ")}`);
  return s as T;
}

/** A list of post kinds (comma separated or repeated). */
export function parseKinds(option: string, values: readonly string[]): PostKind[] {
  const out: PostKind[] = [];
  for (const v of values.flatMap((x) => x.split(","))) {
    const k = v.trim();
    if (!k) continue;
    const alias: Record<string, PostKind> = { round: "videoNote", video_note: "videoNote", gif: "animation", file: "document" };
    const kind = alias[k] ?? (POST_KINDS as readonly string[]).find((p) => p.toLowerCase() === k.toLowerCase());
    if (!kind) throw bad(option, v, `unknown kind; expected ${POST_KINDS.join(", ")}`);
    out.push(kind as PostKind);
  }
  return out;
}

/** A hashtag, with or without "#". */
export function parseHashtag(option: string, value: string): string {
  const t = value.trim().replace(/^#/u, "");
  if (!/^[\p{L}\p{N}_]+$/u.test(t)) throw bad(option, value, "expected a hashtag such as #news (letters, digits, _)");
  return t.toLowerCase();
}

/** An account name: what names its session file. */
export function parseAccountName(option: string, value: string): string {
  const s = value.trim();
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/u.test(s)) throw bad(option, value, "an account name is letters, digits, _ . - (up to 64)");
  return s;
}
