// Many accounts through the emulator and the real adapter: flood waits on every method for every account,
// strict order, reupload. Every post arrives once, in order, none skipped.
import { lastValueFrom, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { compareChats, Emulator, formatDifferences } from "../../src/emulator/index.js";
import { MemoryJournal } from "../../src/journal/index.js";
import { schedule } from "../../src/pipeline/scheduler.js";
import { openAccount } from "../../src/telegram/account.js";

describe("schedule on the emulator", () => {
  it("a flood storm on every method of every account: every post delivered once, in source order", async () => {
    const emu = Emulator.open({ seed: 21 });
    const names = ["a", "b", "c"];
    for (const name of names) emu.addAccount({ name, dc: 2 });
    emu.createChat({ title: "storm src", username: "storm_source", owner: "a", members: ["b", "c"] });
    emu.createChat({ title: "storm dst", username: "storm_target", owner: "a", admins: ["b", "c"] });
    emu.generate("@storm_source", { posts: 60, seed: 4, mix: { text: 3, photo: 3, document: 2, video: 1 }, albumShare: 0.3 });
    const accounts = [];
    for (const name of names) {
      const acct = await openAccount(emu.client(name), { name, historyPace: { intervalMs: 0 } });
      accounts.push({
        name,
        source: acct.source(await acct.resolveChat("@storm_source")),
        sinks: [acct.sink(await acct.resolveChat("@storm_target"), { mode: "reupload" })],
      });
    }
    // The storm starts once the accounts are logged in and the chats resolved.
    for (const account of names) emu.faults.floodWait({ account, seconds: 1, probability: 0.04 });
    const expected = emu.inspect("@storm_source");
    const journal = new MemoryJournal({ source: accounts[0]!.source.chatId, targets: [accounts[0]!.sinks[0]!.target] });
    const events = await lastValueFrom(
      schedule({ accounts, journal, range: { toId: Math.max(...expected.map((p) => p.id)) }, relay: { maxRetries: 50 } }).pipe(toArray()),
    );
    const actual = emu.inspect("@storm_target");
    // Entities: custom emoji need a Premium sender (the adapter tests fidelity with one); the rest must match.
    const diffs = compareChats(expected, actual, { ignore: ["noforwards", "entities"] });
    emu.close();
    expect(diffs, formatDifferences(diffs)).toEqual([]);
    expect(actual.length).toBe(expected.length);
    expect(events.filter((e) => e.type === "failed" || (e.type === "skipped" && e.reason !== "already delivered"))).toEqual([]);
    // The storm did hit: accounts sat out waits.
    expect(events.filter((e) => e.type === "cooldown" || e.type === "flood-wait").length).toBeGreaterThan(0);
    expect(journal.inFlight()).toEqual([]);
  }, 120_000);
});
