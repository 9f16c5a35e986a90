// Many accounts through the emulator and the real adapter: flood waits on every method for every account,
// strict order, reupload. Every post arrives once, in order, none skipped, and no request reaches an account
// during its wait (the adapter's cooldown gate holds every call of the account, transfers included).
import { lastValueFrom, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { compareChats, Emulator, formatDifferences, type RequestRecord } from "../../src/emulator/index.js";
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
    // The storm starts once the accounts are logged in and the chats resolved: any method, and for sure in the
    // middle of downloads (GetFile) and uploads (SaveFilePart), and on sends (the pipeline sits those out).
    for (const account of names) {
      emu.faults.floodWait({ account, seconds: 1, probability: 0.02 });
      emu.faults.floodWait({ account, method: "upload.GetFile", seconds: 1, every: 12 });
      emu.faults.floodWait({ account, method: "upload.SaveFilePart", seconds: 1, every: 15 });
      emu.faults.floodWait({ account, method: "messages.SendMedia", seconds: 1, every: 8 });
    }
    const requests: RequestRecord[] = [];
    const stop = emu.onRequest((r) => requests.push(r));
    const expected = emu.inspect("@storm_source");
    const journal = new MemoryJournal({ source: accounts[0]!.source.chatId, targets: [accounts[0]!.sinks[0]!.target] });
    const events = await lastValueFrom(
      schedule({ accounts, journal, range: { toId: Math.max(...expected.map((p) => p.id)) }, relay: { maxRetries: 50 } }).pipe(toArray()),
    );
    stop();
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
    // No request of an account arrives during its wait. Requests sent before the flood error got back to the
    // client are on the wire and cannot be recalled: they arrive right after the error (the same turn of the
    // event loop), so arrivals within IN_FLIGHT_MS of the error are theirs.
    const IN_FLIGHT_MS = 100;
    const floods = requests.flatMap((f) => {
      const m = /^FLOOD_(?:PREMIUM_)?WAIT_(\d+)$/.exec(f.error ?? "");
      return m ? [{ ...f, until: f.answeredAt + Number(m[1]) * 1000 }] : [];
    });
    const during = floods.flatMap((f) =>
      requests
        .filter((r) => r.account === f.account && r.at >= f.answeredAt + IN_FLIGHT_MS && r.at < f.until)
        .map((r) => `${r.account} ${r.method} at +${r.at - f.answeredAt} ms of a ${f.until - f.answeredAt} ms wait (${f.method})`),
    );
    expect(during).toEqual([]);
    // The storm hit transfers mid-way, and every account.
    expect(floods.some((f) => f.method === "upload.GetFile")).toBe(true);
    expect(floods.some((f) => f.method === "upload.SaveFilePart")).toBe(true);
    expect(new Set(floods.map((f) => f.account))).toEqual(new Set(names));
  }, 120_000);
});
