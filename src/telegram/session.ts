/**
 * Accounts on disk and on the wire: session strings in files only their owner can read, one lock per session
 * (a second process would get AUTH_KEY_DUPLICATED and could burn the session), api credentials from the
 * environment or config, proxies, the client itself, connecting with a timeout, and the login flow.
 */
import { chmod, mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { TelegramClient } from "telegram";
import type { StringSession } from "telegram/sessions/index.js";
import { DedupStringSession } from "./dedupSession.js";
import { LogLevel } from "telegram/extensions/Logger.js";
import { AccountDead, Transient, UsageError } from "../model/errors.js";
import { PinoGramLogger, type LogSink } from "./logger.js";
import { withTimeout } from "./errors.js";
import { processAlive } from "../model/process.js";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function checkName(name: string): void {
  if (!NAME.test(name) || name === "session") throw new UsageError(`bad account name "${name}": use letters, digits, ".", "_" or "-"`);
}

/** The file of account `name`'s session string. */
export function sessionPath(dir: string, name: string): string {
  checkName(name);
  return join(dir, `${name}.session`);
}

/** Read a session string; refuses a file that others can read (it is a full login). */
export async function readSession(dir: string, name: string): Promise<string> {
  const path = sessionPath(dir, name);
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new UsageError(`no session for account "${name}" (${path}); run: tgrelay login ${name}`);
  }
  if (process.platform !== "win32" && (st.mode & 0o077) !== 0) {
    throw new UsageError(`session file ${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}); run: chmod 600 ${path}`);
  }
  const s = (await readFile(path, "utf8")).trim();
  if (s === "") throw new UsageError(`session file ${path} is empty; run: tgrelay login ${name}`);
  return s;
}

/** Write a session string with mode 0600 (atomically: a temp file renamed over the old one). */
export async function writeSession(dir: string, name: string, session: string): Promise<string> {
  const path = sessionPath(dir, name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, session + "\n", { mode: 0o600 });
  await chmod(tmp, 0o600); // the umask cannot widen it, but an existing file keeps its mode otherwise
  await rename(tmp, path);
  return path;
}

/** A held session lock. */
export interface SessionLock {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * Take the lock of session `name` (a `<name>.lock` file holding our pid). A lock held by a live process is
 * refused with a UsageError naming it; a stale one (its process is gone) is taken over.
 */
export async function lockSession(dir: string, name: string): Promise<SessionLock> {
  const path = `${sessionPath(dir, name)}.lock`;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, "wx", 0o600);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      let released = false;
      return {
        path,
        async release() {
          if (released) return;
          released = true;
          // Only remove our own lock.
          const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
          if (owner === process.pid) await rm(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
        throw new UsageError(
          `session "${name}" is in use by process ${pid} (lock ${path}); one session may run in one process only (Telegram answers AUTH_KEY_DUPLICATED otherwise)`,
        );
      }
      await rm(path, { force: true }); // stale: its process is gone
    }
  }
  throw new UsageError(`could not take the lock ${path}`);
}

/** Telegram api credentials. */
export interface ApiCredentials {
  readonly apiId: number;
  readonly apiHash: string;
}

/** Api id and hash from TGRELAY_API_ID/TGRELAY_API_HASH (or TG_API_ID/TG_API_HASH), else from config. */
export function apiCredentials(env: NodeJS.ProcessEnv, config?: { apiId?: number | string; apiHash?: string }): ApiCredentials {
  const id = env.TGRELAY_API_ID ?? env.TG_API_ID ?? config?.apiId;
  const hash = env.TGRELAY_API_HASH ?? env.TG_API_HASH ?? config?.apiHash;
  const apiId = Number(id);
  if (id === undefined || id === "" || !Number.isInteger(apiId) || apiId <= 0) {
    throw new UsageError("no Telegram api id: set TGRELAY_API_ID (from https://my.telegram.org) or apiId in the config");
  }
  if (!hash || !/^[0-9a-f]{32}$/i.test(String(hash))) {
    throw new UsageError("no valid Telegram api hash: set TGRELAY_API_HASH (32 hex digits) or apiHash in the config");
  }
  return { apiId, apiHash: String(hash) };
}

/** A proxy for the account's connection. */
export type ProxyOptions =
  | { readonly socks5: { readonly host: string; readonly port: number; readonly username?: string; readonly password?: string } }
  | { readonly mtproxy: { readonly host: string; readonly port: number; readonly secret: string } };

/** GramJS's proxy option for ours (MTProxy FakeTLS "ee" secrets are refused: GramJS cannot speak it). */
export function gramProxy(p: ProxyOptions | undefined):
  | { ip: string; port: number; socksType: 5; username?: string; password?: string; timeout: number }
  | { ip: string; port: number; secret: string; MTProxy: true }
  | undefined {
  if (!p) return undefined;
  if ("socks5" in p) {
    const s = p.socks5;
    return { ip: s.host, port: s.port, socksType: 5, username: s.username, password: s.password, timeout: 10 };
  }
  const m = p.mtproxy;
  const hex = m.secret.toLowerCase();
  if (hex.startsWith("ee")) throw new UsageError("MTProxy FakeTLS secrets (starting with ee) are not supported by GramJS; use a dd or plain secret");
  if (!/^(dd)?[0-9a-f]{32}$/.test(hex)) throw new UsageError("MTProxy secret must be 32 hex digits (or dd + 32 hex digits)");
  return { ip: m.host, port: m.port, secret: hex, MTProxy: true };
}

export interface ClientSpec extends ApiCredentials {
  readonly session: string;
  readonly proxy?: ProxyOptions;
  readonly logger?: LogSink;
  /** GramJS log level routed to the logger (default warn). */
  readonly logLevel?: "error" | "warn" | "info" | "debug";
  /** Flood waits up to this many seconds are slept inside GramJS; longer ones reach the pipeline (default 5). */
  readonly floodSleepThreshold?: number;
}

/** A TelegramClient for an account: low floodSleepThreshold, bounded connection retries, logger to pino. */
export function createClient(spec: ClientSpec): TelegramClient {
  const silent: LogSink = { error() {}, warn() {}, info() {}, debug() {} };
  const level = (spec.logLevel ?? "warn") as LogLevel;
  const client = new TelegramClient(new DedupStringSession(spec.session), spec.apiId, spec.apiHash, {
    baseLogger: new PinoGramLogger(spec.logger ?? silent, level),
    floodSleepThreshold: spec.floodSleepThreshold ?? 5,
    connectionRetries: 5,
    reconnectRetries: 10,
    requestRetries: 3,
    autoReconnect: true,
    proxy: gramProxy(spec.proxy) as never,
  });
  client.onError = async (e: Error) => spec.logger?.error({ lib: "gramjs", err: e.message }, "gramjs background error");
  return client;
}

/** Connect, with our own timeout; `connect()` answering false (retries used up) is a failure, not a hang. */
export async function connectClient(client: TelegramClient, account: string, timeoutMs = 60_000): Promise<void> {
  let ok: boolean;
  try {
    ok = await withTimeout(client.connect(), timeoutMs, `connect ${account}`);
  } catch (e) {
    throw new Transient(`account ${account} could not connect: ${(e as Error).message}`, "CONNECT_FAILED", { cause: e });
  }
  if (!ok) throw new Transient(`account ${account} could not connect to Telegram (connect() gave up)`, "CONNECT_FAILED");
  const authorized = await withTimeout(client.checkAuthorization(), timeoutMs, `checkAuthorization ${account}`);
  if (!authorized) throw new AccountDead(account, "the session is not logged in (AUTH_KEY_UNREGISTERED); run tgrelay login again");
}

/** What the login flow asks the user. */
export interface LoginPrompts {
  readonly phone?: () => Promise<string>;
  readonly code?: () => Promise<string>;
  readonly password?: (hint?: string) => Promise<string>;
  /** A bot token logs in as a bot (targets only: bots cannot read channel history). */
  readonly botToken?: string;
  readonly onError?: (e: Error) => void;
}

/**
 * Log in interactively (phone, code, 2FA password; or a bot token) and return the session string to save.
 * Needs the network: the CLI's `tgrelay login NAME` calls it, then writeSession().
 */
export async function login(client: TelegramClient, prompts: LoginPrompts): Promise<string> {
  if (prompts.botToken) {
    await client.start({ botAuthToken: prompts.botToken });
  } else {
    const { phone, code } = prompts;
    if (!phone || !code) throw new UsageError("login needs a phone number and a code prompt, or a bot token");
    await client.start({
      phoneNumber: phone,
      phoneCode: async () => code(),
      password: prompts.password ? async (hint?: string) => prompts.password!(hint) : undefined,
      onError: async (e: Error) => {
        prompts.onError?.(e);
        return /AUTH_USER_CANCEL|PHONE_NUMBER_INVALID|PHONE_NUMBER_BANNED/.test(e.message);
      },
    });
  }
  return (client.session as StringSession).save();
}
