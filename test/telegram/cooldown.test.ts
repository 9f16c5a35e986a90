// The account's cooldown gate: a flood wait holds every call of the account, slow mode only the sends to
// its chat; a wait over the pause limit fails a call at once (unsent) with the time left.
import { describe, expect, it } from "vitest";
import { Api, errors } from "telegram";
import bigInt from "big-integer";
import { FloodWait } from "../../src/model/errors.js";
import { CooldownGate, targetKeyOf, type CooldownStarted } from "../../src/telegram/cooldown.js";
import { uploadPlan } from "../../src/telegram/upload.js";
import { Emulator } from "../../src/emulator/index.js";
import { openAccount } from "../../src/telegram/account.js";
import { makeCall } from "../../src/telegram/context.js";

const channel = (id: number) => new Api.InputPeerChannel({ channelId: bigInt(id), accessHash: bigInt(1) });
const send = (id: number) => new Api.messages.SendMessage({ peer: channel(id), message: "x", randomId: bigInt(1) });
const history = (id: number) =>
  new Api.messages.GetHistory({ peer: channel(id), offsetId: 0, offsetDate: 0, addOffset: 0, limit: 1, maxId: 0, minId: 0, hash: bigInt(0) });
const rpc = (req: Api.AnyRequest, name: string) => errors.RPCMessageToError(new Api.RpcError({ errorCode: 420, errorMessage: name }), req);

/** Whether `p` settles within a few turns of the event loop. */
async function settles(p: Promise<unknown>): Promise<"resolved" | "rejected" | "pending"> {
  let state: "resolved" | "rejected" | "pending" = "pending";
  p.then(() => (state = "resolved"), () => (state = "rejected"));
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return state;
}

describe("CooldownGate", () => {
  it("a flood wait holds every request of the account until it is over; a longer one than the pause limit fails them unsent", async () => {
    let now = 1_000_000;
    const started: CooldownStarted[] = [];
    const gate = new CooldownGate("a", 60, (w) => started.push(w), () => now);
    await gate.pass(history(1)); // open
    expect(gate.note(history(1), rpc(history(1), "FLOOD_WAIT_120"))).toEqual({ seconds: 120, scope: "account" });
    const err = await gate.pass(send(2)).catch((e) => e);
    expect(err).toBeInstanceOf(FloodWait);
    expect([err.seconds, err.scope, err.method]).toEqual([120, "account", "messages.SendMessage"]);
    now += 70_000; // 50 s left: under the pause limit, the request waits instead
    const stop = new AbortController();
    const held = gate.pass(history(3), stop.signal);
    expect(await settles(held)).toBe("pending");
    stop.abort(new Error("done"));
    await expect(held).rejects.toThrow("done");
    now += 50_000;
    await gate.pass(history(3));
    expect(started.map((s) => [s.method, s.seconds, s.scope])).toEqual([["messages.GetHistory", 120, "account"]]);
  });

  it("FLOOD_PREMIUM_WAIT holds the account too; a shorter wait does not shorten a longer one", async () => {
    let now = 0;
    const gate = new CooldownGate("a", 0, undefined, () => now);
    gate.note(history(1), rpc(history(1), "FLOOD_PREMIUM_WAIT_30"));
    gate.note(history(1), rpc(history(1), "FLOOD_WAIT_5"));
    now = 10_000;
    expect((await gate.pass(history(1)).catch((e) => e)).seconds).toBe(20);
    now = 30_000;
    await gate.pass(history(1));
  });

  it("slow mode holds only the sends to that chat", async () => {
    let now = 0;
    const gate = new CooldownGate("a", 0, undefined, () => now);
    expect(gate.note(send(7), rpc(send(7), "SLOWMODE_WAIT_10"))).toEqual({ seconds: 10, scope: "target" });
    const err = await gate.pass(send(7)).catch((e) => e);
    expect(err).toBeInstanceOf(FloodWait);
    expect([err.seconds, err.scope]).toEqual([10, "target"]);
    await gate.pass(send(8)); // another chat
    await gate.pass(history(7)); // not a send
    const fwd = new Api.messages.ForwardMessages({ fromPeer: channel(1), toPeer: channel(7), id: [1], randomId: [bigInt(2)] });
    expect(targetKeyOf(fwd)).toBe(targetKeyOf(send(7)));
    expect(await gate.pass(fwd).catch((e) => e)).toBeInstanceOf(FloodWait);
    now = 10_000;
    await gate.pass(send(7));
  });

  it("other errors start no cooldown", async () => {
    const gate = new CooldownGate("a", 0, undefined, () => 0);
    expect(gate.note(history(1), new errors.RPCError("MEDIA_EMPTY", history(1), 400))).toBeUndefined();
    await gate.pass(history(1));
  });
});

describe("the adapter and GramJS's own flood sleeping", () => {
  it("openAccount turns GramJS's floodSleepThreshold off: every flood wait reaches the gate", async () => {
    const emu = Emulator.open({ seed: 1 });
    emu.addAccount({ name: "a" });
    const client = emu.client("a", { floodSleepThreshold: 30 });
    expect(client.floodSleepThreshold).toBe(30);
    await openAccount(client, { name: "a" });
    expect(client.floodSleepThreshold).toBe(0);
    emu.close();
  });
});

describe("GramJS's own re-sends go through the gate too", () => {
  it("a request GramJS re-sends after RPC_CALL_FAIL is held when a flood wait began meanwhile", async () => {
    let now = 0;
    const gate = new CooldownGate("a", 0, undefined, () => now);
    type State = { promise: Promise<unknown>; resolve(v: unknown): void; reject(e: unknown): void };
    const newState = (): State => {
      const s = {} as State;
      s.promise = new Promise((res, rej) => ((s.resolve = res), (s.reject = rej)));
      return s;
    };
    const sent: string[] = [];
    const real = {
      userDisconnected: false,
      addStateToQueue(state: State) {
        sent.push("send");
        // Telegram's internal error; meanwhile another call of the account was answered FLOOD_WAIT_30.
        state.reject(new errors.RPCError("RPC_CALL_FAIL", history(1), 500));
        gate.note(history(2), rpc(history(2), "FLOOD_WAIT_30"));
      },
    };
    // invoke as GramJS does it: after RPC_CALL_FAIL it queues the same request again on the same sender.
    const client = {
      session: { dcId: 2 },
      _sender: real,
      async invokeWithSender(_req: unknown, sender: typeof real) {
        for (let attempt = 0; attempt < 2; attempt++) {
          const state = newState();
          sender.addStateToQueue(state);
          try {
            return await state.promise;
          } catch (e) {
            if ((e as { errorMessage?: string }).errorMessage !== "RPC_CALL_FAIL") throw e;
          }
        }
        throw new Error("Request was unsuccessful");
      },
    };
    const call = makeCall(client as never, "a", 0, gate);
    const err = await call(history(1)).catch((e) => e);
    expect(err).toBeInstanceOf(FloodWait);
    expect(sent).toEqual(["send"]); // the re-send never went out
  });
});

describe("uploadPlan (GramJS's part sizes)", () => {
  it("128 KB parts under 100 MB, 256 KB under 750 MB, 512 KB above; big over 10 MiB", () => {
    const MB = 1024 * 1024;
    expect(uploadPlan(1)).toEqual({ partSize: 128 * 1024, parts: 1, big: false });
    expect(uploadPlan(10 * MB)).toEqual({ partSize: 128 * 1024, parts: 80, big: false });
    expect(uploadPlan(10 * MB + 1)).toEqual({ partSize: 128 * 1024, parts: 81, big: true });
    expect(uploadPlan(100 * MB)).toEqual({ partSize: 256 * 1024, parts: 400, big: true });
    expect(uploadPlan(2000 * MB)).toEqual({ partSize: 512 * 1024, parts: 4000, big: true });
  });
});
