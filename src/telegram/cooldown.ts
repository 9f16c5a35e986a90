/**
 * The account's cooldown gate, inside the adapter: once any request of the account is answered FLOOD_WAIT_X
 * (or FLOOD_PREMIUM_WAIT_X, PEER_FLOOD), no further request of the account leaves until the wait is over;
 * SLOWMODE_WAIT_X holds only the sends to that chat. Requests already on the wire cannot be recalled; nothing
 * new goes out. The pipeline's scheduler has its own gate, but it only sees errors that reach it and only
 * holds new operations: parts of transfers already running, and concurrent calls, pass through here.
 */
import { Api } from "telegram";
import { FloodWait } from "../model/errors.js";
import { classifyError } from "./errors.js";
import { sleep } from "./limiter.js";

/** A wait the gate started or lengthened. */
export interface CooldownStarted {
  readonly account: string;
  readonly method: string;
  readonly seconds: number;
  readonly scope: "account" | "target";
  /** The target chat's key, for slow mode. */
  readonly target?: string;
  /** Date.now() ms when the wait ends. */
  readonly until: number;
}

/** The send requests slow mode applies to, and the chat each one posts to. */
function sendTarget(req: Api.AnyRequest): Api.TypeInputPeer | undefined {
  if (req instanceof Api.messages.ForwardMessages) return req.toPeer as Api.TypeInputPeer;
  if (req instanceof Api.messages.SendMessage || req instanceof Api.messages.SendMedia || req instanceof Api.messages.SendMultiMedia) {
    return req.peer as Api.TypeInputPeer;
  }
  return undefined;
}

/** A stable key of an input peer (slow mode is per chat). */
export function peerKey(peer: Api.TypeInputPeer): string {
  if (peer instanceof Api.InputPeerChannel) return `channel:${peer.channelId.toString()}`;
  if (peer instanceof Api.InputPeerChat) return `chat:${peer.chatId.toString()}`;
  if (peer instanceof Api.InputPeerUser) return `user:${peer.userId.toString()}`;
  return peer.className;
}

/** The slow-mode key of a request: its target chat when it is a send, else undefined. */
export function targetKeyOf(req: Api.AnyRequest): string | undefined {
  const p = sendTarget(req);
  return p === undefined ? undefined : peerKey(p);
}

/**
 * One account's cooldowns: the account's own (every request waits) and per target chat (sends to it wait).
 * Time is Date.now() ms (injectable for tests).
 */
export class CooldownGate {
  /** Date.now() ms until which the whole account waits. */
  private until = 0;
  private readonly targets = new Map<string, number>();

  constructor(
    readonly account: string,
    /** Waits up to this long are sat out in the gate; a longer remaining wait fails the request with FloodWait. */
    readonly pauseSeconds: number,
    private readonly onStart?: (w: CooldownStarted) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Date.now() ms when the account's cooldown ends (<= now when there is none). */
  get accountUntil(): number {
    return this.until;
  }

  /** Ms left of the wait that holds `req` (the account's, or its target chat's for a send). */
  remainingMs(req: Api.AnyRequest): number {
    const key = targetKeyOf(req);
    const t = Math.max(this.until, key === undefined ? 0 : (this.targets.get(key) ?? 0));
    return Math.max(0, t - this.now());
  }

  /**
   * Resolve when `req` may go out. While it is held: sit the wait out when what is left is at most
   * `pauseSeconds`; else reject at once with a FloodWait of the time left (nothing is sent), so the pipeline
   * decides (sit out, or hand the work to another account). A wait lengthened meanwhile is waited too.
   */
  async pass(req: Api.AnyRequest, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const left = this.remainingMs(req);
      if (left <= 0) return;
      if (left > this.pauseSeconds * 1000) {
        const key = targetKeyOf(req);
        const targetHeld = key !== undefined && (this.targets.get(key) ?? 0) > this.until;
        throw new FloodWait(Math.ceil(left / 1000), this.account, req.className, targetHeld ? "target" : "account");
      }
      await sleep(left, signal);
    }
  }

  /**
   * Tell the gate about an error of `req`: a flood wait starts (or lengthens) a cooldown. Returns the wait
   * (seconds and scope) when it was one, else undefined.
   */
  note(req: Api.AnyRequest, e: unknown): { seconds: number; scope: "account" | "target" } | undefined {
    const c = classifyError(e);
    if (c.kind !== "flood") return undefined;
    const seconds = Math.max(0, c.seconds ?? 0);
    const scope = c.scope ?? "account";
    const until = this.now() + seconds * 1000;
    const key = scope === "target" ? targetKeyOf(req) : undefined;
    if (scope === "target" && key !== undefined) {
      if (until > (this.targets.get(key) ?? 0)) {
        this.targets.set(key, until);
        this.onStart?.({ account: this.account, method: req.className, seconds, scope, target: key, until });
      }
    } else if (until > this.until) {
      this.until = until;
      this.onStart?.({ account: this.account, method: req.className, seconds, scope: "account", until });
    }
    // Forget slow modes that are over.
    const t = this.now();
    for (const [k, u] of this.targets) if (u <= t) this.targets.delete(k);
    return { seconds, scope: key === undefined ? "account" : scope };
  }
}
