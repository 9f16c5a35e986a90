import { Api } from "telegram";
import type { FaultState } from "./faults.js";
import type { Keys } from "./keys.js";
import type { AccountRec } from "./records.js";
import { fail, RpcFailure } from "./rpc.js";
import type { View } from "./tl.js";
import type { World } from "./world.js";
import { peerMethods } from "./methods/peers.js";
import { historyMethods } from "./methods/history.js";
import { fileMethods } from "./methods/files.js";
import { sendMethods } from "./methods/send.js";
import { sessionMethods } from "./methods/session.js";

/** Who is calling: the account behind the client, and the DC its sender is connected to. */
export interface Call {
  readonly account: AccountRec;
  readonly dcId: number;
}

/** One request as the server saw it: who sent it, when it arrived and was answered (Date.now() ms), and the error. */
export interface RequestRecord {
  readonly account: string;
  /** TL class name, e.g. "upload.GetFile". */
  readonly method: string;
  readonly at: number;
  readonly answeredAt: number;
  /** Telegram's error name when it failed (e.g. "FLOOD_WAIT_3"). */
  readonly error?: string;
}

/** A method of the emulated Telegram: the request as it came off the wire, answered as Telegram answers. */
export type Method = (srv: Server, call: Call, request: any) => unknown | Promise<unknown>;

/** The server side of the emulator: dispatches TL requests to methods, after the scripted faults. */
export class Server implements View {
  private readonly methods: Record<string, Method> = { ...peerMethods, ...historyMethods, ...fileMethods, ...sendMethods, ...sessionMethods };
  /** Requests handled, by "account className". */
  readonly counts = new Map<string, number>();
  /** Told about every request once it is answered (tests observe timing and accounts with it). */
  readonly observers = new Set<(r: RequestRecord) => void>();

  constructor(
    readonly world: World,
    readonly keys: Keys,
    readonly now: () => number,
    readonly faults: FaultState,
  ) {}

  /** Unix seconds of the emulator clock. */
  date(): number {
    return Math.floor(this.now() / 1000);
  }

  async handle(accountName: string, dcId: number, request: Api.AnyRequest): Promise<unknown> {
    const account = this.world.account(accountName) ?? fail("AUTH_KEY_UNREGISTERED", 401);
    const key = `${accountName} ${request.className}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (this.observers.size === 0) {
      await this.faults.before(accountName, request.className, account.premium);
      return this.dispatch({ account, dcId }, request);
    }
    const at = Date.now();
    const tell = (error?: string) => {
      const r: RequestRecord = { account: accountName, method: request.className, at, answeredAt: Date.now(), ...(error !== undefined ? { error } : {}) };
      for (const o of this.observers) o(r);
    };
    try {
      await this.faults.before(accountName, request.className, account.premium);
      const result = await this.dispatch({ account, dcId }, request);
      tell();
      return result;
    } catch (e) {
      tell(e instanceof RpcFailure ? e.errorMessage : String(e));
      throw e;
    }
  }

  /** Answer a request (also the inner query of a wrapper such as InvokeWithTakeout). */
  async dispatch(call: Call, request: Api.AnyRequest): Promise<unknown> {
    const method = this.methods[request.className];
    if (method === undefined) fail(`EMULATOR_METHOD_UNSUPPORTED_${request.className.replace(/\W/g, "_").toUpperCase()}`);
    return await method(this, call, request);
  }
}
