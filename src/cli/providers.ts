/**
 * Accounts for a job: GramJS clients from session files (real Telegram), or clients of an emulated world
 * (--emulator PATH), both wrapped by the adapter's openAccount into AccountHandles.
 */
import type { Logger } from "pino";
import type { TelegramClient } from "telegram";
import { Emulator } from "../emulator/index.js";
import { UsageError } from "../model/errors.js";
import {
  connectClient, createClient, lockSession, openAccount, readSession, type ChatInfo, type TelegramAccount,
} from "../telegram/index.js";
import type { AccountHandle, ChatHandle, SinkSettings } from "./endpoints.js";
import { accountLogger } from "./logger.js";
import { postRefusal } from "./postRights.js";
import type { AccountSettings } from "./resolve.js";
import { scratchDir } from "./scratch.js";
import { noteSecret, sessionEnvOf } from "./secrets.js";


/** Names of an emulated world's accounts. */
export function emulatorAccounts(world: Emulator): string[] {
  return world.accounts().map((a) => a.name);
}

/** Wrap an adapter account as the CLI's AccountHandle. */
export function handleOf(account: TelegramAccount, release?: () => Promise<void>, client?: TelegramClient): AccountHandle {
  const wrap = (c: ChatInfo): ChatHandle => ({
    chatId: c.chatId, native: c, title: c.title, noforwards: c.noforwards,
    ...(c.username !== undefined ? { username: c.username } : {}),
  });
  return {
    name: account.name,
    ...(account.self ? { self: account.self } : {}),
    resolveChat: async (ref) => wrap(await account.resolveChat(ref)),
    newestId: (chat) => account.newestId(chat.native as ChatInfo),
    ...(client ? { postRefusal: (chat: ChatHandle) => postRefusal(client, chat.native as ChatInfo) } : {}),
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

/** Accounts of an emulated world, by name, through the real adapter. */
export async function emulatorHandles(world: Emulator, names: readonly string[], logger: Logger): Promise<AccountHandle[]> {
  const known = emulatorAccounts(world);
  const list = names.length ? names : known;
  if (list.length === 0) throw new UsageError("--emulator: the emulated world has no accounts");
  const handles: AccountHandle[] = [];
  for (const name of list) {
    if (!known.includes(name)) throw new UsageError(`--accounts: the emulated world has no account ${name} (it has ${known.join(", ")})`);
    const client = world.client(name);
    // No pacing of history pages in an emulated world: nothing to be polite to.
    const account = await openAccount(client, { name, logger: accountLogger(logger, name), historyPace: { intervalMs: 0 }, tmpDir: scratchDir() });
    handles.push(handleOf(account, undefined, client));
  }
  return handles;
}

/** Everything opened for a run, closed together. */
export interface OpenedAccounts {
  readonly handles: readonly AccountHandle[];
  readonly world?: Emulator;
  close(): Promise<void>;
}

/**
 * Open the accounts of the settings: on an emulated world (by name), or on Telegram from session files
 * (each locked against a second process). A failure closes what was opened.
 */
export async function openAccounts(settings: AccountSettings, logger: Logger, env: NodeJS.ProcessEnv): Promise<OpenedAccounts> {
  const handles: AccountHandle[] = [];
  let world: Emulator | undefined;
  const closeAll = async (): Promise<void> => {
    for (const h of handles.splice(0)) await h.close().catch((e: unknown) => logger.warn({ err: e, account: h.name }, "close failed"));
    world?.close();
  };
  try {
    if (settings.kind === "emulator") {
      world = Emulator.open({ path: settings.world });
      handles.push(...(await emulatorHandles(world, settings.accounts, logger)));
    } else {
      for (const name of settings.accounts) {
        const lock = await lockSession(settings.sessions, name);
        try {
          const session = noteSecret(env[sessionEnvOf(name)] ?? (await readSession(settings.sessions, name)));
          const client = createClient({ session, apiId: settings.apiId, apiHash: settings.apiHash, logger: accountLogger(logger, name) });
          await connectClient(client, name, 30_000);
          const account = await openAccount(client, { name, logger: accountLogger(logger, name), tmpDir: scratchDir() });
          handles.push(handleOf(account, () => lock.release(), client));
        } catch (e) {
          await lock.release();
          throw e;
        }
      }
    }
  } catch (e) {
    await closeAll();
    throw e;
  }
  return { handles, ...(world ? { world } : {}), close: closeAll };
}
