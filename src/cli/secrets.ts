/**
 * Secrets (api_hash, session strings) come only from env or from files no one else can read (mode 0600 or
 * 0400). They never appear in flags, logs or error messages.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { isIP } from "node:net";
import { StringSession } from "telegram/sessions/index.js";
import { UsageError } from "../model/errors.js";

/** Refuse a secret file that is missing, not a file, or readable by group or others. */
export function checkSecretFile(path: string, what: string): void {
  if (!existsSync(path)) throw new UsageError(`${what}: no such file ${path}`);
  const st = statSync(path);
  if (!st.isFile()) throw new UsageError(`${what}: ${path} is not a file`);
  if (process.platform !== "win32" && (st.mode & 0o077) !== 0) {
    throw new UsageError(`${what}: ${path} can be read by others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 ${path}`);
  }
}

/** Read a secret file after checking its mode; the content is trimmed. */
export function readSecretFile(path: string, what: string): string {
  checkSecretFile(path, what);
  const s = readFileSync(path, "utf8").trim();
  if (!s) throw new UsageError(`${what}: ${path} is empty`);
  return s;
}

/** Env variable holding the session string of an account (instead of a session file). */
export function sessionEnvOf(account: string): string {
  return `TGRELAY_SESSION_${account.replace(/[^a-zA-Z0-9]/gu, "_").toUpperCase()}`;
}

/**
 * A session string as `tgrelay login` saves it: version "1", then base64 of the DC id, the DC's IP address,
 * its port and a 256-byte auth key. A damaged one is refused here: given to GramJS it would make it dial a
 * made-up address, or fail with an error that shows decoded key bytes. The message never shows the value.
 */
export function checkSessionString(session: string, origin: string, account: string): string {
  const bad = new UsageError(`${origin}: not a valid session string (damaged or cut short); run \`tgrelay login --account ${account}\` again`);
  if (!/^1[A-Za-z0-9+/=_-]+$/u.test(session)) throw bad;
  let parsed: StringSession;
  try {
    parsed = new StringSession(session);
  } catch {
    throw bad;
  }
  // The auth key bytes sit in `_key` until load() turns them into an AuthKey.
  const key = (parsed as unknown as { _key?: Buffer })._key;
  if (parsed.dcId < 1 || parsed.dcId > 1000 || isIP(parsed.serverAddress ?? "") === 0 || !(parsed.port > 0) || key?.length !== 256) throw bad;
  return session;
}

/** The api_hash: 32 hex characters. The message never shows the value. */
export function checkApiHash(hash: string, origin: string): string {
  if (!/^[0-9a-f]{32}$/iu.test(hash)) throw new UsageError(`${origin}: the api_hash must be 32 hexadecimal characters (from my.telegram.org)`);
  return hash.toLowerCase();
}

/** Paths of pino's redaction: every place a secret could sit in a log object. */
export const REDACT_PATHS = [
  "apiHash", "api_hash", "session", "sessionString", "password", "phoneCode", "botToken",
  "*.apiHash", "*.api_hash", "*.session", "*.sessionString", "*.password", "*.phoneCode", "*.botToken",
];

/** Secret values met in this process (api hash, session strings), scrubbed from every message main prints. */
export const SECRETS = new Set<string>();

/** Remember a secret value so no message shows it. */
export function noteSecret(value: string): string {
  if (value.length >= 8) SECRETS.add(value);
  return value;
}

/** Replace any known secret value in a text (for error messages built by libraries). */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 8) out = out.split(s).join("[redacted]");
  return out;
}
