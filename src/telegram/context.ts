/**
 * What every part of one account's adapter shares: the client, our own timeout on every call, pacing of history
 * reads, the cap on file requests in flight, and the cache of uploaded media (upload once, send to each target).
 */
import type { TelegramClient } from "telegram";
import { Api } from "telegram";
import { withTimeout } from "./errors.js";
import { Pacer, Semaphore } from "./limiter.js";
import type { LogSink } from "./logger.js";

/** A chat as the adapter knows it. */
export interface ChatInfo {
  /** Marked id: "-100<id>" for channels and supergroups. */
  readonly chatId: string;
  readonly title: string;
  readonly username?: string;
  readonly kind: "channel" | "supergroup" | "group" | "user";
  /** Protected content (Channel.noforwards). */
  readonly noforwards: boolean;
  readonly peer: Api.TypeInputPeer;
  /** The message id of a t.me/c/<id>/<msg> link, when the reference had one. */
  readonly messageId?: number;
}

/** Account-wide settings. */
export interface AdapterConfig {
  readonly callTimeoutMs: number;
  readonly inMemoryLimitBytes: number;
  readonly tmpDir: string;
  readonly captionLimit: number;
  readonly parallelism?: (size: number) => number;
  readonly maxRefreshes: number;
}

/** The shared state of one account. */
export interface AccountContext {
  readonly name: string;
  readonly client: TelegramClient;
  readonly self: { readonly id: string; readonly premium: boolean; readonly bot: boolean; readonly dc: number };
  readonly config: AdapterConfig;
  readonly log: LogSink;
  /** Spaces history page reads. */
  readonly historyPacer: Pacer;
  /** Caps upload.GetFile requests in flight across every download of the account. */
  readonly fileRequests: Semaphore;
  /** Uploaded media per Loaded batch and post id, so several targets reuse one upload. */
  readonly uploads: WeakMap<object, Map<number, Promise<Api.TypeInputMedia>>>;
  /** One call with our timeout; dcId sends it to that DC (GramJS borrows one exported sender per DC). */
  call<R>(req: Api.AnyRequest, opts?: { dcId?: number; timeoutMs?: number; signal?: AbortSignal }): Promise<R>;
}

/** `client.invoke` with our own timeout; GramJS has none per request. */
export function makeCall(client: TelegramClient, account: string, timeoutMs: number): AccountContext["call"] {
  return async <R>(req: Api.AnyRequest, opts: { dcId?: number; timeoutMs?: number; signal?: AbortSignal } = {}) => {
    const home = (client.session as { dcId?: number }).dcId;
    const dc = opts.dcId !== undefined && opts.dcId !== home ? opts.dcId : undefined;
    const p = client.invoke(req as never, dc) as Promise<unknown>;
    return (await withTimeout(p, opts.timeoutMs ?? timeoutMs, `${req.className} (${account})`, opts.signal)) as R;
  };
}
