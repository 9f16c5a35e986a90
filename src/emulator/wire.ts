/**
 * A real GramJS TelegramClient wired to the emulator without a socket (research/gramjs.md 7.3, "level 2"):
 * GramJS's own invoke runs (resolve, RequestState serialisation, flood sleeps, retries, FILE_MIGRATE handling);
 * only its MTProtoSender is replaced. Every request crosses a byte boundary both ways: the server handles the
 * request decoded from its getBytes(), and the client reads the answer from the answer's bytes.
 */
import { Api, Logger, TelegramClient } from "telegram";
import { BinaryReader } from "telegram/extensions/index.js";
import { LogLevel } from "telegram/extensions/Logger.js";
import { StringSession } from "telegram/sessions/index.js";
import { RpcFailure, toGramError } from "./rpc.js";
import type { Server } from "./server.js";
import type { AccountRec } from "./records.js";
import type { ClientOptions } from "./types.js";

const VECTOR = 0x1cb5c415;
const BOOL_TRUE = 0x997275b5;
const BOOL_FALSE = 0xbc799737;

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/** The wire form of a method's answer. */
export function answerBytes(result: unknown): Buffer {
  if (typeof result === "boolean") return u32(result ? BOOL_TRUE : BOOL_FALSE);
  if (Array.isArray(result)) {
    const items = result.map((x) => {
      if (typeof x === "number") return u32(x);
      if (x && typeof (x as { getBytes?: unknown }).getBytes === "function") return (x as { getBytes(): Buffer }).getBytes();
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(BigInt(String(x)));
      return b;
    });
    return Buffer.concat([u32(VECTOR), u32(result.length), ...items]);
  }
  return (result as { getBytes(): Buffer }).getBytes();
}

interface PendingState {
  request: Api.AnyRequest;
  data: Buffer;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/** A stand-in for GramJS's MTProtoSender connected to one DC of the emulator. */
class EmulatedSender {
  userDisconnected = false;
  isConnecting = false;
  isReconnecting = false;
  _authenticated = true;
  _disconnected = false;
  readonly _pendingState = { values: () => [] as unknown[] };

  constructor(readonly dcId: number, private readonly deliver: (dcId: number, request: Api.AnyRequest, data: Buffer) => Promise<unknown>) {}

  isConnected(): boolean {
    return !this._disconnected;
  }
  async disconnect(): Promise<void> {
    this._disconnected = true;
    this.userDisconnected = true;
  }
  _reconnect(): void {}
  reconnect(): void {}
  addStateToQueue(state: PendingState): void {
    void Promise.resolve()
      .then(() => this.deliver(this.dcId, state.request, state.data))
      .then((r) => state.resolve(r), (e) => state.reject(e));
  }
  /** Used by uploadFile (SaveFilePart) and exported-sender paths, which bypass invoke. */
  async send(request: Api.AnyRequest): Promise<unknown> {
    return this.deliver(this.dcId, request, request.getBytes());
  }
}

/** The client's socket class: any attempt of GramJS to open a real connection throws. */
class NoSocket {
  async connect(): Promise<never> {
    throw new Error("emulator: a client of the emulator never opens a real connection");
  }
  async close(): Promise<void> {}
}

/**
 * Build a TelegramClient for `account` whose requests go to `server`. It is connected from the start:
 * connect() resolves true at once (no update loop, no timers), so adapter code that calls it runs unchanged.
 */
export function wireClient(server: Server, account: AccountRec, opts: ClientOptions = {}): TelegramClient {
  const client = new TelegramClient(new StringSession(""), 1, "emulator", {
    floodSleepThreshold: opts.floodSleepThreshold ?? 0,
    requestRetries: opts.requestRetries ?? 5,
    baseLogger: new Logger(LogLevel.NONE),
    autoReconnect: false,
    connectionRetries: 1,
    networkSocket: NoSocket as never,
  });
  const deliver = async (dcId: number, request: Api.AnyRequest, data: Buffer): Promise<unknown> => {
    if (server.world.db.open === false) throw new Error("emulator closed");
    let onWire: Api.AnyRequest;
    try {
      onWire = new BinaryReader(data).tgReadObject() as Api.AnyRequest;
    } catch (e) {
      // What getBytes() wrote does not parse back: on the wire this request would be garbage.
      throw new Error(`emulator: ${request.className} is malformed on the wire (${(e as Error).message})`);
    }
    let result: unknown;
    try {
      result = await server.handle(account.name, dcId, onWire);
    } catch (e) {
      if (e instanceof RpcFailure) throw toGramError(e, request);
      throw e;
    }
    return (request as unknown as { readResult(r: BinaryReader): unknown }).readResult(new BinaryReader(answerBytes(result)));
  };
  client.session.setDC(account.dc, "127.0.0.1", 443);
  const main = new EmulatedSender(account.dc, deliver);
  const exported = new Map<number, EmulatedSender>();
  const c = client as unknown as { _sender: unknown; _connectedDeferred: { resolve(): void }; getSender(dc?: number): Promise<unknown> };
  c._sender = main;
  (client as unknown as { connect(): Promise<boolean> }).connect = async () => {
    if (main.userDisconnected) throw new Error("emulator: this client was disconnected; make a new one with emulator.client()");
    return true;
  };
  c._connectedDeferred.resolve();
  c.getSender = async (dc?: number) => {
    if (!dc) return main;
    let s = exported.get(dc);
    if (s === undefined) exported.set(dc, (s = new EmulatedSender(dc, deliver)));
    return s;
  };
  return client;
}
