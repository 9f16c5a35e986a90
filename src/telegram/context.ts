/**
 * What every part of one account's adapter shares: the client, our own timeout on every call, pacing of history
 * reads, the cap on file requests in flight, and the cache of uploaded media (upload once, send to each target).
 */
import type { TelegramClient } from "telegram";
import { Api } from "telegram";
import type { CooldownGate } from "./cooldown.js";
import { classifyError, withTimeout } from "./errors.js";
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
  /** The account's cooldown gate: every call passes it. */
  readonly cooldown: CooldownGate;
  /** One call through the cooldown gate, with our timeout; dcId sends it to that DC (GramJS borrows one exported sender per DC). */
  call<R>(req: Api.AnyRequest, opts?: CallOptions): Promise<R>;
}

/** Options of one call. */
export interface CallOptions {
  readonly dcId?: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /**
   * A part of a transfer in progress (a GetFile or SaveFilePart of a file, the re-read of a file reference, the
   * UploadMedia that ends an upload): a flood wait of at most the gate's pauseSeconds is sat out and the same
   * request sent again, so the transfer pauses and resumes instead of failing and starting over.
   */
  readonly transfer?: boolean;
}

/** The part of GramJS's MTProtoSender that invoke uses to send a request. */
interface Sender {
  addStateToQueue(state: { reject(e: unknown): void }): void;
}

/**
 * `sender` with its queueing behind the gate: GramJS's invoke re-sends a request by itself after
 * RPC_CALL_FAIL or a server error; that re-send waits for a cooldown begun meanwhile like any new request.
 */
function gatedSender(sender: Sender, req: Api.AnyRequest, gate: CooldownGate, signal?: AbortSignal): Sender {
  return new Proxy(sender, {
    get(target, key) {
      if (key === "addStateToQueue") {
        return (state: { reject(e: unknown): void }) => {
          if (gate.remainingMs(req) <= 0) return target.addStateToQueue(state);
          gate.pass(req, signal).then(() => target.addStateToQueue(state), (e: unknown) => state.reject(e));
        };
      }
      const v = Reflect.get(target, key) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Flood waits one transfer request sits out before its FloodWait goes on. */
const MAX_PAUSES = 50;

/**
 * `client.invoke` behind the account's cooldown gate, with our own timeout (GramJS has none per request; the
 * timeout starts once the gate lets the request out). A flood wait answered to any call holds every later call
 * of the account (slow mode: every later send to that chat) until the wait is over.
 */
export function makeCall(client: TelegramClient, account: string, timeoutMs: number, gate: CooldownGate): AccountContext["call"] {
  return async <R>(req: Api.AnyRequest, opts: CallOptions = {}) => {
    const home = (client.session as { dcId?: number }).dcId;
    const dc = opts.dcId !== undefined && opts.dcId !== home ? opts.dcId : undefined;
    // Bounded: a request answered flood waits again and again ends as the FloodWait it got.
    for (let pauses = 0; ; pauses++) {
      await gate.pass(req, opts.signal);
      const p = (async () => {
        // Another DC's sender may need an exported authorization (a request): only once the gate let us through.
        const sender = dc === undefined ? (client as unknown as { _sender?: Sender })._sender : ((await client.getSender(dc)) as unknown as Sender | undefined);
        // The sender behind the gate too: GramJS re-sends a request by itself after an internal error (2 s later).
        if (!sender) return client.invoke(req as never, dc) as Promise<unknown>;
        return client.invokeWithSender(req as never, gatedSender(sender, req, gate, opts.signal) as never) as Promise<unknown>;
      })();
      // Noted even when our timeout gave up on the call: its late flood wait still holds the account.
      p.catch((e: unknown) => gate.note(req, e));
      try {
        return (await withTimeout(p, opts.timeoutMs ?? timeoutMs, `${req.className} (${account})`, opts.signal)) as R;
      } catch (e) {
        const c = classifyError(e);
        // A transfer pauses for a short account-wide wait (the gate holds the next try), then goes on.
        const pause = c.kind === "flood" && (c.scope ?? "account") === "account" && (c.seconds ?? 0) <= gate.pauseSeconds;
        if (pause && opts.transfer && pauses < MAX_PAUSES && !opts.signal?.aborted) continue;
        throw e;
      }
    }
  };
}
