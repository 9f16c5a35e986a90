/**
 * GramJS errors -> tgrelay's typed errors. GramJS only gives flood and migrate errors their own classes; every
 * other RPC error is a plain RPCError whose `errorMessage` is Telegram's error name, so we classify by name.
 */
import { errors } from "telegram";
import { AccountDead, Fatal, FloodWait, SkipPost, TgRelayError, Transient } from "../model/errors.js";

/** What to do about an error. */
export type ErrorKind =
  | "flood" // wait, then retry (FloodWait)
  | "retry" // transient: try again
  | "refresh" // a file reference expired: re-read the message, then retry
  | "restricted" // the content is protected: forward/copy impossible, reupload may work
  | "duplicate" // RANDOM_ID_DUPLICATE: already delivered
  | "skip" // this post cannot be delivered
  | "fatal" // the job cannot go on
  | "accountDead"; // the account cannot work any more

export interface Classified {
  readonly kind: ErrorKind;
  /** Telegram's error name (e.g. "MEDIA_EMPTY", "FLOOD_WAIT"), or a short description for non-RPC errors. */
  readonly name: string;
  readonly seconds?: number;
  /** "target" for slow mode, which only holds sends to that chat. */
  readonly scope?: "account" | "target";
}

const RETRY = new Set([
  "TIMEOUT", "RPC_CALL_FAIL", "RPC_MCGET_FAIL", "INTERNAL", "INTERNAL_SERVER_ERROR", "WORKER_BUSY_TOO_LONG_RETRY",
  "MSG_WAIT_FAILED", "MSG_WAIT_TIMEOUT", "NEED_MEMBER_INVALID", "PERSISTENT_TIMESTAMP_OUTDATED", "STORE_INVALID_SCALAR_TYPE",
  "UNKNOWN_METHOD", "CONNECTION_NOT_INITED", "AUTH_RESTART", "HISTORY_GET_FAILED", "MEMBER_OCCUPY_PRIMARY_LOC_FAILED",
  "NO_WORKERS_RUNNING", "POSTPONED_TIMEOUT", "CHAT_ID_GENERATE_FAILED", "RANDOM_ID_INVALID",
]);
const SKIP = new Set([
  "MEDIA_EMPTY", "MEDIA_INVALID", "MESSAGE_EMPTY", "MESSAGE_ID_INVALID", "MESSAGE_IDS_EMPTY", "MEDIA_CAPTION_TOO_LONG",
  "MESSAGE_TOO_LONG", "GROUPED_MEDIA_INVALID", "MULTI_MEDIA_TOO_LONG", "PHOTO_INVALID_DIMENSIONS", "PHOTO_EXT_INVALID",
  "PHOTO_SAVE_FILE_INVALID", "FILE_PARTS_INVALID", "FILE_PART_INVALID", "DOCUMENT_INVALID", "POLL_ANSWERS_INVALID",
  "POLL_OPTION_DUPLICATE", "POLL_QUESTION_INVALID", "QUIZ_CORRECT_ANSWERS_EMPTY", "QUIZ_CORRECT_ANSWER_INVALID",
  "WEBPAGE_CURL_FAILED", "WEBPAGE_MEDIA_EMPTY", "ENTITY_BOUNDS_INVALID", "ENTITY_MENTION_USER_INVALID",
  "MEDIA_TTL_INVALID", "VOICE_MESSAGES_FORBIDDEN", "FILE_REFERENCE_INVALID", "STICKER_DOCUMENT_INVALID",
  "DOCUMENT_EMPTY", "PHOTO_EMPTY", "FILE_ID_INVALID", "LOCATION_INVALID", "SHORT_READ",
]);
const FATAL = new Set([
  "CHANNEL_PRIVATE", "CHANNEL_INVALID", "CHAT_WRITE_FORBIDDEN", "CHAT_ADMIN_REQUIRED", "CHAT_SEND_MEDIA_FORBIDDEN",
  "CHAT_SEND_PHOTOS_FORBIDDEN", "CHAT_SEND_VIDEOS_FORBIDDEN", "CHAT_SEND_DOCS_FORBIDDEN", "CHAT_SEND_AUDIOS_FORBIDDEN",
  "CHAT_SEND_VOICES_FORBIDDEN", "CHAT_SEND_ROUNDVIDEOS_FORBIDDEN", "CHAT_SEND_STICKERS_FORBIDDEN",
  "CHAT_SEND_GIFS_FORBIDDEN", "CHAT_SEND_POLL_FORBIDDEN", "CHAT_SEND_PLAIN_FORBIDDEN", "CHAT_RESTRICTED",
  "CHAT_ID_INVALID", "PEER_ID_INVALID", "USER_BANNED_IN_CHANNEL", "CHANNEL_BANNED", "CHAT_GUEST_SEND_FORBIDDEN",
  "USERNAME_INVALID", "USERNAME_NOT_OCCUPIED", "INPUT_USER_DEACTIVATED", "BOT_METHOD_INVALID", "API_ID_INVALID",
  "SLOWMODE_MULTI_MSGS_DISABLED", "TAKEOUT_REQUIRED", "SCHEDULE_TOO_MUCH",
]);
const DEAD = new Set([
  "AUTH_KEY_UNREGISTERED", "AUTH_KEY_INVALID", "AUTH_KEY_DUPLICATED", "AUTH_KEY_PERM_EMPTY", "SESSION_REVOKED",
  "SESSION_EXPIRED", "SESSION_PASSWORD_NEEDED", "USER_DEACTIVATED", "USER_DEACTIVATED_BAN", "PHONE_NUMBER_BANNED",
  "USER_RESTRICTED",
]);

/** Telegram's error name of `e`, or undefined when it is not an RPC error. Flood errors get their base name. */
export function rpcErrorName(e: unknown): string | undefined {
  if (e instanceof errors.SlowModeWaitError) return "SLOWMODE_WAIT";
  if (e instanceof errors.FloodWaitError || e instanceof errors.FloodTestPhoneWaitError) return "FLOOD_WAIT";
  if (e instanceof errors.FileMigrateError) return "FILE_MIGRATE";
  if (e instanceof errors.RPCError) return e.errorMessage;
  return undefined;
}

/** Classify any error thrown by a GramJS call (or by our own timeout) by Telegram's error name. */
export function classifyError(e: unknown): Classified {
  if (e instanceof TgRelayError) {
    if (e instanceof FloodWait) return { kind: "flood", name: "FLOOD_WAIT", seconds: e.seconds, scope: e.scope };
    if (e instanceof Transient) return { kind: "retry", name: e.reason };
    if (e instanceof SkipPost) return { kind: "skip", name: e.reason };
    if (e instanceof AccountDead) return { kind: "accountDead", name: e.reason };
    if (e instanceof Fatal) return { kind: "fatal", name: e.reason };
    return { kind: "fatal", name: e.message };
  }
  if (e instanceof errors.SlowModeWaitError) return { kind: "flood", name: "SLOWMODE_WAIT", seconds: e.seconds, scope: "target" };
  if (e instanceof errors.FloodWaitError || e instanceof errors.FloodTestPhoneWaitError) {
    return { kind: "flood", name: "FLOOD_WAIT", seconds: e.seconds, scope: "account" };
  }
  const raw = rpcErrorName(e);
  if (raw !== undefined) return classifyName(raw);
  const msg = e instanceof Error ? e.message : String(e);
  if (/^TIMEOUT$|Request was unsuccessful|Cannot send requests while disconnected|Not connected|disconnected/i.test(msg)) {
    return { kind: "retry", name: msg };
  }
  return { kind: "fatal", name: msg };
}

/** Classify a Telegram error name such as "FLOOD_WAIT_30" or "FILE_REFERENCE_0_EXPIRED". */
export function classifyName(name: string): Classified {
  const wait = /^(FLOOD_WAIT|FLOOD_PREMIUM_WAIT|SLOWMODE_WAIT|FLOOD_TEST_PHONE_WAIT)_(\d+)$/.exec(name);
  if (wait) {
    const slow = wait[1] === "SLOWMODE_WAIT";
    return { kind: "flood", name: wait[1]!, seconds: Number(wait[2]), scope: slow ? "target" : "account" };
  }
  if (name === "PEER_FLOOD") return { kind: "flood", name, seconds: 3600, scope: "account" };
  if (/^FILE_REFERENCE_(\d+_)?EXPIRED$/.test(name) || name === "FILEREF_UPGRADE_NEEDED") return { kind: "refresh", name };
  if (name === "CHAT_FORWARDS_RESTRICTED") return { kind: "restricted", name };
  if (name === "RANDOM_ID_DUPLICATE") return { kind: "duplicate", name };
  if (/^FILE_REFERENCE_\d+_INVALID$/.test(name)) return { kind: "skip", name };
  if (DEAD.has(name) || name.startsWith("USER_DEACTIVATED")) return { kind: "accountDead", name };
  if (FATAL.has(name) || /^CHAT_SEND_\w+_FORBIDDEN$/.test(name)) return { kind: "fatal", name };
  if (SKIP.has(name)) return { kind: "skip", name };
  if (RETRY.has(name) || /^(INTERNAL|.*_TIMEOUT|.*_FAILED_?\w*)$/.test(name)) return { kind: "retry", name };
  // An unknown error name: stopping with its name is safer than skipping posts in silence.
  return { kind: "fatal", name };
}

/** Where an error happened, for the typed error's message. */
export interface ErrorContext {
  readonly account: string;
  readonly method: string;
  readonly postIds?: readonly number[];
}

/** Turn any error into tgrelay's typed error (FloodWait, Transient, SkipPost, Fatal, AccountDead). */
export function toRelayError(e: unknown, ctx: ErrorContext): TgRelayError {
  if (e instanceof TgRelayError) return e;
  const c = classifyError(e);
  const opt = { cause: e };
  switch (c.kind) {
    case "flood":
      return new FloodWait(c.seconds ?? 0, ctx.account, ctx.method, c.scope ?? "account", opt);
    case "retry":
    case "refresh":
      return new Transient(`${ctx.method} failed for account ${ctx.account}: ${c.name}`, c.name, opt);
    case "skip":
    case "restricted":
    case "duplicate":
      return new SkipPost(`${c.name} (${ctx.method})`, ctx.postIds ?? [], opt);
    case "accountDead":
      return new AccountDead(ctx.account, `${c.name} (${ctx.method})`, opt);
    case "fatal":
      return new Fatal(`${ctx.method} failed for account ${ctx.account}: ${c.name}`, c.name, opt);
  }
}

/** Reject with Transient("TIMEOUT") when `p` takes longer than `ms`; GramJS has no per-request timeout. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  if (!(ms > 0) || ms === Infinity) return p;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Transient(`${what}: no answer within ${ms} ms`, "TIMEOUT")), ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("aborted"));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (err) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}
