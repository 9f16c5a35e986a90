/**
 * Accounts for a job: GramJS clients from session files (real Telegram), or clients of an emulated world
 * (--emulator PATH), both wrapped by the adapter's openAccount into AccountHandles.
 */
import type { Logger } from "pino";
import * as emulatorModule from "../emulator/index.js";
import { UsageError } from "../model/errors.js";
import type { Sink, Source } from "../ports.js";
import * as telegramModule from "../telegram/index.js";
import type { AccountHandle, ChatHandle, SinkSettings } from "./endpoints.js";
import type { AccountSettings } from "./resolve.js";
import { readSecretFile, sessionEnvOf } from "./secrets.js";
import { join } from "node:path";

// The adapter's and emulator's API as the CLI uses it (src/telegram, src/emulator; see NOTES.md).
interface ChatInfo {
  readonly chatId: string;
  readonly title?: string;
  readonly username?: string;
  readonly noforwards?: boolean;
  readonly topId?: number;
}
interface TelegramAccountLike {
  readonly name: string;
  readonly self?: { readonly id: string; readonly premium: boolean; readonly bot: boolean; readonly dc: number; readonly name?: string };
  resolveChat(ref: string): Promise<ChatInfo>;
  newestId?(chat: ChatInfo): Promise<number>;
  source(chat: ChatInfo, opts?: object): Source;
  sink(chat: ChatInfo, opts?: object): Sink;
  close(): Promise<void>;
}
interface TelegramApi {
  openAccount(client: unknown, opts: { name: string; logger?: Logger }): Promise<TelegramAccountLike>;
  createClient(opts: { session: string; apiId: number; apiHash: string; logger?: Logger }): unknown;
  connectClient(client: unknown, timeoutMs: number): Promise<void>;
  lockSession?(dir: string, name: string): Promise<{ release(): Promise<void> }>;
}
export interface EmulatorLike {
  client(account: string): unknown;
  readonly accounts?: readonly string[] | (() => readonly string[]);
  close?(): Promise<void> | void;
  save?(): Promise<void> | void;
}
interface EmulatorApi {
  Emulator: { open(opts: { path: string }): Promise<EmulatorLike> | EmulatorLike };
}

/** The adapter's functions, checked to be there (they land while the CLI is built). */
export function telegramApi(): TelegramApi {
  const api = telegramModule as unknown as Partial<TelegramApi>;
  if (typeof api.openAccount !== "function" || typeof api.createClient !== "function") {
    throw new Error("this build has no Telegram adapter (src/telegram: openAccount/createClient missing)");
  }
  return api as TelegramApi;
}

/** The emulator's entry point. */
export function emulatorApi(): EmulatorApi {
  const api = emulatorModule as unknown as Partial<EmulatorApi>;
  if (!api.Emulator || typeof api.Emulator.open !== "function") {
    throw new Error("this build has no emulator (src/emulator: Emulator.open missing)");
  }
  return api as EmulatorApi;
}

/** Names of an emulated world's accounts, when it tells them. */
export function emulatorAccounts(world: EmulatorLike): string[] {
  const a = world.accounts;
  return [...(typeof a === "function" ? a.call(world) : a ?? [])];
}

/** Wrap an adapter account as the CLI's AccountHandle. */
export function handleOf(account: TelegramAccountLike, release?: () => Promise<void>): AccountHandle {
  const wrap = (c: ChatInfo): ChatHandle => ({
    chatId: c.chatId, native: c,
    ...(c.title !== undefined ? { title: c.title } : {}),
    ...(c.username !== undefined ? { username: c.username } : {}),
    ...(c.noforwards !== undefined ? { noforwards: c.noforwards } : {}),
    ...(c.topId !== undefined ? { topId: c.topId } : {}),
  });
  return {
    name: account.name,
    ...(account.self ? { self: account.self } : {}),
    resolveChat: async (ref) => wrap(await account.resolveChat(ref)),
    newestId: async (chat) => {
      const info = chat.native as ChatInfo;
      if (info.topId !== undefined) return info.topId;
      if (account.newestId) return account.newestId(info);
      throw new UsageError(`the newest message id of ${chat.chatId} is unknown; give --to-id`);
    },
    source: (chat) => account.source(chat.native as ChatInfo),
    sink: (chat, s: SinkSettings) => account.sink(chat.native as ChatInfo, {
      mode: s.mode, skipProtected: s.skipProtected, silent: s.silent, captionPolicy: s.captionPolicy, forceCopy: s.forceCopy,
    }),
    close: async () => {
      await account.close();
      await release?.();
    },
  };
}

/** Everything opened for a run, closed together. */
export interface OpenedAccounts {
  readonly handles: readonly AccountHandle[];
  readonly world?: EmulatorLike;
  close(): Promise<void>;
}

/**
 * Open the accounts of the settings: on an emulated world (by name), or on Telegram from session files
 * (each locked against a second process). A failure closes what was opened.
 */
export async function openAccounts(settings: AccountSettings, logger: Logger, env: NodeJS.ProcessEnv): Promise<OpenedAccounts> {
  const handles: AccountHandle[] = [];
  let world: EmulatorLike | undefined;
  const closeAll = async (): Promise<void> => {
    for (const h of handles.splice(0)) await h.close().catch((e: unknown) => logger.warn({ err: e, account: h.name }, "close failed"));
    await world?.save?.();
    await world?.close?.();
  };
  try {
    if (settings.kind === "emulator") {
      world = await emulatorApi().Emulator.open({ path: settings.world });
      const names = settings.accounts.length ? settings.accounts : emulatorAccounts(world);
      if (names.length === 0) throw new UsageError(`--emulator ${settings.world}: give --accounts (the world does not list its accounts)`);
      const known = emulatorAccounts(world);
      for (const name of names) {
        if (known.length && !known.includes(name)) throw new UsageError(`--accounts: the emulated world has no account ${name} (it has ${known.join(", ")})`);
        const account = await telegramApi().openAccount(world.client(name), { name, logger: logger.child({ account: name }) });
        handles.push(handleOf(account));
      }
    } else {
      const tg = telegramApi();
      for (const name of settings.accounts) {
        const lock = await tg.lockSession?.(settings.sessions, name);
        const session = env[sessionEnvOf(name)] ?? readSecretFile(join(settings.sessions, `${name}.session`), `account ${name}`);
        const client = tg.createClient({ session, apiId: settings.apiId, apiHash: settings.apiHash, logger: logger.child({ account: name }) });
        await tg.connectClient(client, 30_000);
        const account = await tg.openAccount(client, { name, logger: logger.child({ account: name }) });
        handles.push(handleOf(account, lock ? () => lock.release() : undefined));
      }
    }
  } catch (e) {
    await closeAll();
    throw e;
  }
  return { handles, ...(world ? { world } : {}), close: closeAll };
}
