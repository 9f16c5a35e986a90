import bigInt from "big-integer";
import fc from "fast-check";
import { Api } from "telegram";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Emulator } from "../../src/emulator/index.js";
import { FaultState } from "../../src/emulator/faults.js";
import { peerOf } from "./world.js";

describe("GetHistory slicing", () => {
  let emu: Emulator;
  let ids: number[];
  beforeAll(() => {
    emu = Emulator.open({ seed: 1 });
    emu.addAccount({ name: "alice" });
    emu.createChat({ title: "H", username: "hist_chan", owner: "alice" });
    for (let i = 0; i < 137; i++) emu.addPost("@hist_chan", { text: `m${i}` });
    ids = Array.from({ length: 138 }, (_, i) => 138 - i); // newest first, service message 1 included
  });
  afterAll(() => emu.close());

  /** Telegram's rule on the whole newest-first list. */
  function reference(q: { offsetId: number; addOffset: number; limit: number; minId: number; maxId: number }): number[] {
    const pos = q.offsetId > 0 ? ids.findIndex((id) => id < q.offsetId) : 0;
    const at = pos < 0 ? ids.length : pos;
    const start = at + q.addOffset;
    const limit = Math.min(100, q.limit);
    return ids.slice(Math.max(0, start), Math.max(0, start + limit)).filter((id) => (q.minId <= 0 || id > q.minId) && (q.maxId <= 0 || id < q.maxId));
  }

  it("matches Telegram's offset/addOffset/limit/minId/maxId rule for any parameters", async () => {
    const client = emu.client("alice");
    const peer = await peerOf(client, "hist_chan");
    await fc.assert(
      fc.asyncProperty(
        fc.record({ offsetId: fc.integer({ min: 0, max: 150 }), addOffset: fc.integer({ min: -150, max: 150 }), limit: fc.integer({ min: 0, max: 120 }), minId: fc.integer({ min: 0, max: 150 }), maxId: fc.integer({ min: 0, max: 150 }) }),
        async (q) => {
          const r = (await client.invoke(new Api.messages.GetHistory({ peer, ...q, offsetDate: 0, hash: bigInt(0) }))) as Api.messages.ChannelMessages;
          expect(r.messages.map((m) => m.id)).toEqual(reference(q));
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe("bandwidth and latency run on the clock", () => {
  beforeAll(() => vi.useFakeTimers());
  afterEach(() => vi.clearAllTimers());
  afterAll(() => vi.useRealTimers());

  it("an account's transfers share one pipe of its bandwidth", async () => {
    const faults = new FaultState(1, () => {});
    faults.bandwidth("a", 1000);
    const done: string[] = [];
    void faults.transfer("a", 500).then(() => done.push("first"));
    void faults.transfer("a", 500).then(() => done.push("second"));
    void faults.transfer("b", 10_000).then(() => done.push("other account, unlimited"));
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toEqual(["other account, unlimited"]);
    await vi.advanceTimersByTimeAsync(500);
    expect(done).toEqual(["other account, unlimited", "first"]);
    await vi.advanceTimersByTimeAsync(500);
    expect(done).toEqual(["other account, unlimited", "first", "second"]);
  });

  it("latency delays each request independently (concurrent requests overlap)", async () => {
    const faults = new FaultState(1, () => {});
    faults.latencyMs(100, "a");
    const done: number[] = [];
    for (let i = 0; i < 3; i++) void faults.before("a", "upload.GetFile", false).then(() => done.push(i));
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toEqual([0, 1, 2]);
  });
});
