/**
 * One Telegram account as the pipeline sees it: who it is, the chats it can resolve, and a Source or Sink per
 * chat. Built over an existing TelegramClient (a real one, or the emulator's).
 */
import { tmpdir } from "node:os";
import type { Observable } from "rxjs";
import { Api, type TelegramClient } from "telegram";
import bigInt from "big-integer";
import type { Batch } from "../model/batch.js";
import type { Loaded } from "../model/loaded.js";
import type { IdRange, Post } from "../model/post.js";
import { Fatal, UsageError } from "../model/errors.js";
import type { Sink, Source } from "../ports.js";
import { CAPTION_LIMIT, PREMIUM_CAPTION_LIMIT } from "./captionLimit.js";
import { markedChatId } from "./convert.js";
import { classifyError, toRelayError } from "./errors.js";
import { DEFAULT_IN_MEMORY_LIMIT } from "./download.js";
import { Pacer, Semaphore } from "./limiter.js";
import type { LogSink } from "./logger.js";
import { loadBatch } from "./load.js";
import { readHistory, type ReadStats } from "./read.js";
import { dialogsRequest, getChannelsRequest, getSelfRequest, recentHistoryRequest, resolveUsernameRequest } from "./requests.js";
import { TelegramSink, type SinkOptions } from "./send.js";
import { makeCall, type AccountContext, type ChatInfo } from "./context.js";
import { CooldownGate, type CooldownStarted } from "./cooldown.js";

export interface AccountOptions {
  readonly name: string;
  readonly logger?: LogSink;
  /** Temp files of large downloads (default the OS temp folder). */
  readonly tmpDir?: string;
  /** Files up to this size are downloaded into memory (default 20 MB). */
  readonly inMemoryLimitBytes?: number;
  /** Our timeout on every call (default 60 s). */
  readonly callTimeoutMs?: number;
  /** Spacing of history page reads (default 1000 ms, with up to 250 ms jitter). */
  readonly historyPace?: { readonly intervalMs: number; readonly jitterMs?: number };
  /** Parallel part requests for one file of a given size (default: 1 below 1 MB ... 8 above 50 MB). */
  readonly downloadParallelism?: (size: number) => number;
  /** Part requests in flight across all downloads of the account (default 16). */
  readonly maxFileRequests?: number;
  /** Caption limit (default 1024, 4096 for Premium). */
  readonly captionLimit?: number;
  /**
   * Flood waits up to this many seconds pause a transfer in progress (download or upload parts) and hold the
   * account's other calls in the adapter until the wait is over; a longer one reaches the pipeline as a
   * FloodWait (default 60, GramJS's own flood-sleep default).
   */
  readonly floodPauseSeconds?: number;
  /** Told whenever a flood wait (or slow mode) starts or lengthens a cooldown of the account. */
  readonly onCooldown?: (w: CooldownStarted) => void;
  /** The cooldown gate's clock in ms (default Date.now; tests move it on instead of waiting). */
  readonly clock?: () => number;
}

export interface SourceOptions {
  /** Messages per history page (default 100, Telegram's maximum). */
  readonly pageSize?: number;
}

/** A Source with its counters. */
export interface TelegramSource extends Source {
  readonly stats: ReadStats;
}

export interface TelegramAccount {
  readonly name: string;
  readonly client: TelegramClient;
  readonly self: AccountContext["self"];
  resolveChat(ref: string): Promise<ChatInfo>;
  /** The id of the chat's newest message (0 for an empty chat): the end of a "whole history" range. */
  newestId(chat: ChatInfo): Promise<number>;
  source(chat: ChatInfo, opts?: SourceOptions): TelegramSource;
  sink(chat: ChatInfo, opts?: SinkOptions): Sink;
  close(): Promise<void>;
}

/** A parsed chat reference. */
export type ChatRef =
  | { readonly username: string; readonly messageId?: number }
  | { readonly channelId: string; readonly messageId?: number }
  | { readonly chatId: string }
  | { readonly userId: string };

/**
 * Parse "@name", "name", "https://t.me/name", "t.me/name/45", "-100123", "t.me/c/123/45", "-123" (basic group)
 * or a plain positive user id. Throws UsageError with the accepted forms.
 */
export function parseChatRef(ref: string): ChatRef {
  const r = ref.trim();
  const forms = 'use @username, https://t.me/username, t.me/c/<id>/<msg>, or a marked id such as -1001234567890';
  let m = /^(?:https?:\/\/)?(?:www\.)?(?:t\.me|telegram\.me)\/c\/(\d+)(?:\/(\d+))?\/?$/i.exec(r);
  if (m) return m[2] ? { channelId: m[1]!, messageId: Number(m[2]) } : { channelId: m[1]! };
  m = /^(?:https?:\/\/)?(?:www\.)?(?:t\.me|telegram\.me)\/(?:s\/)?([A-Za-z][A-Za-z0-9_]{3,31})(?:\/(\d+))?\/?$/i.exec(r);
  if (m) return m[2] ? { username: m[1]!, messageId: Number(m[2]) } : { username: m[1]! };
  if (/^(?:https?:\/\/)|t\.me\//i.test(r)) throw new UsageError(`cannot read the link "${ref}" (invite links are not supported): ${forms}`);
  m = /^@?([A-Za-z][A-Za-z0-9_]{3,31})$/.exec(r);
  if (m) return { username: m[1]! };
  m = /^-100(\d+)$/.exec(r);
  if (m) return { channelId: m[1]! };
  m = /^-(\d+)$/.exec(r);
  if (m) return { chatId: m[1]! };
  m = /^(\d+)$/.exec(r);
  if (m) return { userId: m[1]! };
  throw new UsageError(`not a chat reference: "${ref}": ${forms}`);
}

/** ChatInfo of a chat or user object. */
export function chatInfoOf(c: Api.TypeChat | Api.TypeUser, messageId?: number): ChatInfo {
  const extra = messageId !== undefined ? { messageId } : {};
  if (c instanceof Api.Channel) {
    return {
      chatId: markedChatId(c),
      title: c.title,
      ...(c.username ? { username: c.username } : {}),
      kind: c.megagroup ? "supergroup" : "channel",
      noforwards: Boolean(c.noforwards),
      peer: new Api.InputPeerChannel({ channelId: c.id, accessHash: c.accessHash ?? bigInt(0) }),
      ...extra,
    };
  }
  if (c instanceof Api.Chat) {
    return { chatId: markedChatId(c), title: c.title, kind: "group", noforwards: Boolean(c.noforwards), peer: new Api.InputPeerChat({ chatId: c.id }), ...extra };
  }
  if (c instanceof Api.User) {
    const title = [c.firstName, c.lastName].filter(Boolean).join(" ") || c.username || longId(c.id);
    return {
      chatId: markedChatId(c),
      title,
      ...(c.username ? { username: c.username } : {}),
      kind: "user",
      noforwards: false,
      peer: new Api.InputPeerUser({ userId: c.id, accessHash: c.accessHash ?? bigInt(0) }),
      ...extra,
    };
  }
  if (c instanceof Api.ChannelForbidden || c instanceof Api.ChatForbidden) {
    throw new Fatal(`chat ${markedChatId(c)} ("${c.title}") is not accessible to this account (CHANNEL_PRIVATE)`, "CHANNEL_PRIVATE");
  }
  throw new Fatal(`cannot use ${(c as { className: string }).className} as a chat`, "CHAT_INVALID");
}

function longId(v: { toString(): string }): string {
  return v.toString();
}

/** Default of AccountOptions.floodPauseSeconds. */
export const DEFAULT_FLOOD_PAUSE_SECONDS = 60;

/** Open the adapter for an account over a client that is already connected and logged in. */
export async function openAccount(client: TelegramClient, opts: AccountOptions): Promise<TelegramAccount> {
  const log: LogSink = opts.logger ?? { error() {}, warn() {}, info() {}, debug() {} };
  const callTimeoutMs = opts.callTimeoutMs ?? 60_000;
  // Every flood wait reaches our gate: GramJS would otherwise sleep on short ones inside invoke while the
  // account's other calls go on.
  client.floodSleepThreshold = 0;
  const cooldown = new CooldownGate(opts.name, opts.floodPauseSeconds ?? DEFAULT_FLOOD_PAUSE_SECONDS, (w) => {
    // Info, not a warning: a wait is normal; the pipeline shows the ones that reach it as cooldown events.
    log.info({ method: w.method, seconds: w.seconds, scope: w.scope, target: w.target }, `flood wait: ${w.scope === "target" ? "sends to the chat" : "the account's requests"} held for ${w.seconds} s`);
    opts.onCooldown?.(w);
  }, opts.clock);
  const call = makeCall(client, opts.name, callTimeoutMs, cooldown);
  let me: Api.User;
  try {
    const users = await call<Api.TypeUser[]>(getSelfRequest());
    const u = users[0];
    if (!(u instanceof Api.User)) throw new Fatal(`account ${opts.name}: no user behind the session`, "USER_EMPTY");
    me = u;
  } catch (e) {
    throw toRelayError(e, { account: opts.name, method: "users.GetUsers" });
  }
  const premium = Boolean(me.premium);
  const ctx: AccountContext = {
    name: opts.name,
    client,
    self: { id: me.id.toString(), premium, bot: Boolean(me.bot), dc: (client.session as { dcId?: number }).dcId ?? 0 },
    config: {
      callTimeoutMs,
      inMemoryLimitBytes: opts.inMemoryLimitBytes ?? DEFAULT_IN_MEMORY_LIMIT,
      tmpDir: opts.tmpDir ?? tmpdir(),
      captionLimit: opts.captionLimit ?? (premium ? PREMIUM_CAPTION_LIMIT : CAPTION_LIMIT),
      parallelism: opts.downloadParallelism,
      maxRefreshes: 3,
    },
    log,
    historyPacer: new Pacer(opts.historyPace?.intervalMs ?? 1000, opts.historyPace?.jitterMs ?? (opts.historyPace ? 0 : 250)),
    fileRequests: new Semaphore(opts.maxFileRequests ?? 16),
    uploads: new WeakMap(),
    cooldown,
    call,
  };
  // Chats this account resolved, by marked id: forward needs the source's input peer.
  const chats = new Map<string, ChatInfo>();
  const remember = (c: ChatInfo) => {
    chats.set(c.chatId, c);
    return c;
  };

  /** Walk the account's dialogs (100 per page, at most 50 pages) for a chat by marked id. */
  const findInDialogs = async (marked: string): Promise<Api.TypeChat | undefined> => {
    let offsetDate = 0;
    let offsetId = 0;
    let offsetPeer: Api.TypeInputPeer = new Api.InputPeerEmpty();
    for (let page = 0; page < 50; page++) {
      const res: Api.messages.TypeDialogs = await call<Api.messages.TypeDialogs>(dialogsRequest(offsetDate, offsetId, offsetPeer));
      if (res instanceof Api.messages.DialogsNotModified) return undefined;
      const hit = res.chats.find((c: Api.TypeChat) => (c instanceof Api.Channel || c instanceof Api.Chat) && markedChatId(c) === marked);
      if (hit) return hit;
      if (!(res instanceof Api.messages.DialogsSlice) || res.dialogs.length === 0) return undefined;
      const last: Api.TypeDialog = res.dialogs[res.dialogs.length - 1]!;
      const lastMsg = res.messages.find((m) => m.id === last.topMessage);
      const lastChat: Api.TypeChat | undefined = res.chats.find((c: Api.TypeChat) => c instanceof Api.Channel && last.peer instanceof Api.PeerChannel && c.id.equals(last.peer.channelId));
      if (!lastMsg || !lastChat) return undefined;
      offsetDate = lastMsg instanceof Api.Message || lastMsg instanceof Api.MessageService ? lastMsg.date : 0;
      offsetId = last.topMessage;
      offsetPeer = chatInfoOf(lastChat).peer;
    }
    return undefined;
  };

  const resolveChat = async (ref: string): Promise<ChatInfo> => {
    const parsed = parseChatRef(ref);
    const method = "username" in parsed ? "contacts.ResolveUsername" : "channels.GetChannels";
    try {
      if ("username" in parsed) {
        const res = await call<Api.contacts.ResolvedPeer>(resolveUsernameRequest(parsed.username));
        const peer = res.peer;
        const obj =
          peer instanceof Api.PeerChannel
            ? res.chats.find((c) => c instanceof Api.Channel && c.id.equals(peer.channelId))
            : peer instanceof Api.PeerChat
              ? res.chats.find((c) => c instanceof Api.Chat && c.id.equals(peer.chatId))
              : res.users.find((u) => u instanceof Api.User && peer instanceof Api.PeerUser && u.id.equals(peer.userId));
        if (!obj) throw new Fatal(`@${parsed.username} resolved to nothing usable`, "USERNAME_NOT_OCCUPIED");
        return remember(chatInfoOf(obj, parsed.messageId));
      }
      if ("channelId" in parsed) {
        const known = chats.get(`-100${parsed.channelId}`);
        if (known) return parsed.messageId !== undefined ? { ...known, messageId: parsed.messageId } : known;
        // The access hash comes from the session's entity cache when the account saw the channel before.
        let hash = "0";
        try {
          const p = (client as unknown as { _entityCache: { get(k: string): unknown } })._entityCache.get(`-100${parsed.channelId}`);
          if (p instanceof Api.InputPeerChannel) hash = p.accessHash.toString();
        } catch {
          /* not cached */
        }
        if (hash === "0") {
          // Without an access hash GetChannels fails on Telegram; the account's dialogs carry it.
          const c = await findInDialogs(`-100${parsed.channelId}`);
          if (c) return remember(chatInfoOf(c, parsed.messageId));
        }
        const res = await call<Api.messages.TypeChats>(getChannelsRequest(parsed.channelId, hash));
        const c = res.chats[0];
        if (!c) throw new Fatal(`channel -100${parsed.channelId} not found`, "CHANNEL_INVALID");
        return remember(chatInfoOf(c, parsed.messageId));
      }
      throw new UsageError(`"${ref}": only channels and supergroups (by @username, link or -100 id) are supported as chats`);
    } catch (e) {
      if (e instanceof UsageError || e instanceof Fatal) throw e;
      const c = classifyError(e);
      if (c.name === "USERNAME_NOT_OCCUPIED" || c.name === "USERNAME_INVALID") throw new UsageError(`no chat @${"username" in parsed ? parsed.username : ref} exists (${c.name})`);
      if (c.name === "CHANNEL_INVALID" || c.name === "CHANNEL_PRIVATE" || c.name === "PEER_ID_INVALID") {
        throw new Fatal(`chat ${ref} is not accessible to account ${opts.name} (${c.name}); is the account a member?`, c.name, { cause: e });
      }
      throw toRelayError(e, { account: opts.name, method });
    }
  };

  return {
    name: opts.name,
    client,
    self: ctx.self,
    resolveChat,
    async newestId(chat) {
      try {
        const res = await call<Api.messages.TypeMessages>(recentHistoryRequest(chat.peer, 1));
        if (res instanceof Api.messages.MessagesNotModified) return 0;
        return res.messages.reduce((n, m) => Math.max(n, m.id), 0);
      } catch (e) {
        throw toRelayError(e, { account: opts.name, method: "messages.GetHistory" });
      }
    },
    source(chat, sopts = {}): TelegramSource {
      remember(chat);
      const stats: ReadStats = { read: 0, service: 0, unsupported: 0, pages: 0 };
      return {
        chatId: chat.chatId,
        account: opts.name,
        stats,
        read: (range: IdRange, demand$: Observable<unknown>): Observable<Post> => readHistory(ctx, chat, range, demand$, stats, sopts.pageSize),
        download: (batch: Batch): Observable<Loaded> => loadBatch(ctx, chat, batch),
      };
    },
    sink(chat, sinkOpts = {}) {
      remember(chat);
      return new TelegramSink(ctx, chat, (id) => chats.get(id), sinkOpts);
    },
    async close() {
      chats.clear();
    },
  };
}
