import { Prng } from "./prng.js";
import { RpcFailure } from "./rpc.js";
import type { DropRule, FloodRule } from "./types.js";

/** Faults and physics a test scripts on the emulator. All of them act on the server side of the fake wire. */
export interface Faults {
  /** Answer FLOOD_WAIT_X (or FLOOD_PREMIUM_WAIT_X) to matching calls: every Nth, by rate, by chance, or a number of times. */
  floodWait(rule: FloodRule): void;
  /** Delay every request (of `account`, or of all accounts) by `ms` real milliseconds. */
  latencyMs(ms: number, account?: string): void;
  /** Limit an account's GetFile and SaveFilePart throughput, in real time (its requests share the pipe). */
  bandwidth(account: string, bytesPerSecond: number): void;
  /** File references older than this answer FILE_REFERENCE_EXPIRED (default: they never expire). */
  fileReferenceTtlMs(ms: number): void;
  /** Drop the connection under matching calls: they fail with TIMEOUT, as a request lost with its connection. */
  dropConnection(rule: DropRule): void;
  /** Set a chat's slow mode (seconds between sends of a non-admin member; 0 turns it off). Persisted. */
  slowMode(chat: string, seconds: number): void;
  /** Remove all faults except slow mode (which is a chat setting). */
  clear(): void;
}

interface FloodState { rule: FloodRule; calls: number; fired: number; stamps: number[] }
interface DropState { rule: DropRule; calls: number }

function matches(rule: { account?: string; method?: string }, account: string, method: string, defaultMethod?: string): boolean {
  if (rule.account !== undefined && rule.account !== account) return false;
  const m = rule.method ?? defaultMethod;
  return m === undefined || m === method || method.endsWith(`.${m}`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The emulator's fault state; deterministic from the world's seed (random rules draw from one seeded stream). */
export class FaultState implements Faults {
  private floods: FloodState[] = [];
  private drops: DropState[] = [];
  private latency = new Map<string | undefined, number>();
  private pipes = new Map<string, { bps: number; freeAt: number }>();
  private prng: Prng;
  /** Milliseconds, Infinity when references never expire. */
  refTtlMs = Infinity;

  constructor(seed: number, private readonly setSlowMode: (chat: string, seconds: number) => void) {
    this.prng = new Prng(seed ^ 0x5eed);
  }

  floodWait(rule: FloodRule): void {
    if (!(rule.seconds >= 0)) throw new RangeError("floodWait needs seconds >= 0");
    this.floods.push({ rule, calls: 0, fired: 0, stamps: [] });
  }
  latencyMs(ms: number, account?: string): void {
    this.latency.set(account, ms);
  }
  bandwidth(account: string, bytesPerSecond: number): void {
    if (!(bytesPerSecond > 0)) throw new RangeError("bandwidth needs bytesPerSecond > 0");
    this.pipes.set(account, { bps: bytesPerSecond, freeAt: 0 });
  }
  fileReferenceTtlMs(ms: number): void {
    this.refTtlMs = ms;
  }
  dropConnection(rule: DropRule): void {
    this.drops.push({ rule, calls: 0 });
  }
  slowMode(chat: string, seconds: number): void {
    this.setSlowMode(chat, seconds);
  }
  clear(): void {
    this.floods = [];
    this.drops = [];
    this.latency.clear();
    this.pipes.clear();
    this.refTtlMs = Infinity;
  }

  /** Before a request is handled: latency, then a scripted drop or flood wait, if one fires. */
  async before(account: string, method: string, premium: boolean): Promise<void> {
    const ms = this.latency.get(account) ?? this.latency.get(undefined) ?? 0;
    if (ms > 0) await sleep(ms);
    for (const d of this.drops) {
      if (!matches(d.rule, account, method, "upload.GetFile")) continue;
      d.calls++;
      const first = d.rule.afterCalls ?? 1;
      if (d.calls >= first && d.calls < first + (d.rule.times ?? 1)) {
        if (d.rule.stallMs) await sleep(d.rule.stallMs);
        throw new RpcFailure("TIMEOUT", -503);
      }
    }
    const now = Date.now();
    for (const f of this.floods) {
      if (!matches(f.rule, account, method)) continue;
      f.calls++;
      if (f.rule.times !== undefined && f.fired >= f.rule.times) continue;
      let fire: boolean;
      if (f.rule.rate !== undefined) {
        const windowMs = f.rule.rate.perSeconds * 1000;
        f.stamps = f.stamps.filter((t) => now - t < windowMs);
        f.stamps.push(now);
        fire = f.stamps.length > f.rule.rate.calls;
      } else if (f.rule.probability !== undefined) {
        fire = this.prng.chance(f.rule.probability);
      } else {
        fire = f.calls % (f.rule.every ?? 1) === 0;
      }
      if (fire) {
        f.fired++;
        const name = f.rule.premium && !premium ? "FLOOD_PREMIUM_WAIT_" : "FLOOD_WAIT_";
        throw new RpcFailure(`${name}${f.rule.seconds}`, 420);
      }
    }
  }

  /**
   * Move `bytes` through the account's pipe for a request that arrived at `arrivedAt` (ms): resolves when they
   * would have arrived at its bandwidth. The server's own work overlaps the transfer time, as on a network.
   */
  async transfer(account: string, bytes: number, arrivedAt = Date.now()): Promise<void> {
    const pipe = this.pipes.get(account);
    if (pipe === undefined || bytes === 0) return;
    const now = Date.now();
    const start = Math.max(arrivedAt, pipe.freeAt);
    pipe.freeAt = start + (bytes / pipe.bps) * 1000;
    const wait = pipe.freeAt - now;
    if (wait > 0) await sleep(wait);
  }
}
