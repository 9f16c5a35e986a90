import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lastValueFrom, Subject, toArray, type Observable } from "rxjs";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryJournal, SqliteJournal, type JobJournal } from "../../src/journal/index.js";
import { schedule, type Account, type Order, type ScheduleEvent } from "../../src/pipeline/scheduler.js";
import { channel, CrashError, FakeWorld, post, rng, type Faults } from "./fakes.js";

const dir = mkdtempSync(join(tmpdir(), "tgrelay-sched-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TARGETS = ["-1002", "-1003"];
const spec = { source: "-1001", targets: TARGETS, options: { mode: "copy" } };

function accountsOf(world: FakeWorld, names: readonly string[], targets = TARGETS, awaitsTurn = false): Account[] {
  return names.map((name) => ({ name, source: world.source(name), sinks: targets.map((t) => world.sink(t, name, true, awaitsTurn)) }));
}

function run(
  world: FakeWorld, names: readonly string[], journal: JobJournal,
  extra: { order?: Order; chunkSize?: number; stop$?: Observable<unknown>; targets?: string[]; awaitsTurn?: boolean } = {},
): Promise<ScheduleEvent[]> {
  const toId = world.posts.at(-1)?.id ?? 1;
  return lastValueFrom(
    schedule({
      accounts: accountsOf(world, names, extra.targets, extra.awaitsTurn),
      journal,
      range: { toId },
      chunkSize: extra.chunkSize ?? 15,
      order: extra.order ?? "strict",
      relay: { maxFloodWaitSeconds: 1, concurrency: 3 },
      ...(extra.stop$ === undefined ? {} : { stop$: extra.stop$ }),
    }).pipe(toArray()),
  );
}

/** Each source post exactly once per target, albums contiguous and sent by one account. */
function expectExactlyOnce(world: FakeWorld, target: string, ordered: boolean): void {
  const landed = world.landed(target);
  const source = world.posts.map((p) => p.id);
  if (ordered) expect(landed).toEqual(source);
  else expect([...landed].sort((a, b) => a - b)).toEqual(source);
  const msgs = world.targets.get(target)!;
  const byAlbum = new Map<string, number[]>();
  msgs.forEach((m, i) => m.groupedId !== undefined && byAlbum.set(m.groupedId, [...(byAlbum.get(m.groupedId) ?? []), i]));
  for (const [g, idx] of byAlbum) {
    expect(idx.at(-1)! - idx[0]! + 1, `album ${g} is contiguous`).toBe(idx.length);
    expect(new Set(idx.map((i) => msgs[i]!.account)).size, `album ${g} sent by one account`).toBe(1);
  }
}

describe("schedule: order", () => {
  for (const [n, awaitsTurn] of [[1, false], [2, false], [4, false], [1, true], [2, true], [4, true]] as const) {
    it(`strict: sends to each target follow source order across ${n} account(s), random latencies${awaitsTurn ? ", sinks upload before their turn" : ""}`, async () => {
      for (let seed = 1; seed <= 6; seed++) {
        const random = rng(seed * 97 + n);
        const world = new FakeWorld(channel(120, random), random, {}, 6);
        const names = ["a", "b", "c", "d"].slice(0, n);
        const events = await run(world, names, new MemoryJournal(spec), { awaitsTurn, chunkSize: awaitsTurn ? 5 : 15 });
        for (const t of TARGETS) expectExactlyOnce(world, t, true);
        expect(events.at(-1)).toMatchObject({ type: "done", stopped: false });
        // Job totals: every post settled once, sent once per target.
        expect(events.at(-1)!.totals).toMatchObject({ settled: world.posts.length, sent: world.posts.length * TARGETS.length });
        if (n > 1) {
          // Work sharing: every account ran chunks.
          const ran = new Set(events.filter((e) => e.type === "chunk" && e.phase === "done").map((e) => e.account));
          expect(ran.size).toBe(n);
        }
      }
    });
  }

  it("relaxed: every post once and albums whole, sent when ready", async () => {
    for (let seed = 1; seed <= 4; seed++) {
      const random = rng(seed);
      const world = new FakeWorld(channel(120, random), random, {}, 6);
      await run(world, ["a", "b", "c", "d"], new MemoryJournal(spec), { order: "relaxed" });
      for (const t of TARGETS) expectExactlyOnce(world, t, false);
    }
  });
});

describe("schedule: flood storms", () => {
  it("flood waits on every method for every account: every post delivered once, in order, no request during a wait", async () => {
    for (let seed = 1; seed <= 3; seed++) {
      const random = rng(1000 + seed);
      const faults: Faults = { flood: () => (random() < 0.15 ? 0.01 + random() * 0.03 : 0) };
      const world = new FakeWorld(channel(100, random), random, faults, 3);
      const events = await run(world, ["a", "b", "c"], new MemoryJournal(spec));
      for (const t of TARGETS) expectExactlyOnce(world, t, true);
      expect(events.filter((e) => e.type === "skipped" && e.reason !== "already delivered")).toEqual([]);
      expect(events.filter((e) => e.type === "failed")).toEqual([]);
      expect(world.waits.length).toBeGreaterThan(10);
      for (const w of world.waits) {
        const during = world.requests.filter((r) => r.account === w.account && r.at > w.from && r.at < w.until);
        expect(during, `requests of ${w.account} during its wait`).toEqual([]);
      }
      for (const a of ["a", "b", "c"]) expect(world.requests.some((r) => r.account === a && r.kind === "send")).toBe(true);
    }
  });
});

describe("schedule: long flood waits", () => {
  it("a wait longer than the limit hands the account's chunks to the others; it sends nothing during the wait", async () => {
    const random = rng(88);
    let fired = false;
    const faults: Faults = {
      flood: (account, kind) => {
        if (account !== "a" || kind !== "download" || fired) return 0;
        fired = true;
        return 100;
      },
    };
    const world = new FakeWorld(channel(60, random), random, faults, 2);
    const events = await run(world, ["a", "b"], new MemoryJournal(spec), { targets: ["-1002"] });
    expectExactlyOnce(world, "-1002", true);
    const wait = world.waits[0]!;
    expect(world.requests.filter((r) => r.account === "a" && r.at > wait.from)).toEqual([]);
    expect(events.some((e) => e.type === "cooldown" && e.account === "a" && e.seconds === 100)).toBe(true);
  });
});

describe("schedule: dying accounts", () => {
  it("an account that dies hands its chunk back; the others finish it, in order", async () => {
    for (let seed = 1; seed <= 4; seed++) {
      const random = rng(2000 + seed);
      // b dies after the 5th send overall: mid-chunk, with others waiting on the turnstile.
      const faults: Faults = { dead: (account, sends) => account === "b" && sends >= 5 };
      const world = new FakeWorld(channel(120, random), random, faults, 4);
      const events = await run(world, ["a", "b", "c"], new MemoryJournal(spec), { targets: ["-1002"] });
      expectExactlyOnce(world, "-1002", true);
      const dead = events.filter((e) => e.type === "account-dead");
      expect(dead.map((e) => e.account)).toEqual(["b"]);
      expect(events.some((e) => e.type === "chunk" && e.phase === "handed-back" && e.account === "b")).toBe(true);
    }
  });

  it("the only account of a job dying errors the run", async () => {
    const random = rng(7);
    const world = new FakeWorld(channel(30, random), random, { dead: (_a, sends) => sends >= 2 }, 2);
    await expect(run(world, ["a"], new MemoryJournal(spec))).rejects.toThrow(/every account/);
  });
});

describe("schedule: resume", () => {
  it("after a crash, skips what was delivered and resends the in-flight batch with the same account", async () => {
    const random = rng(42);
    const posts = channel(90, random);
    const path = join(dir, "resume.db");
    // Run 1 crashes right after the 9th send landed, before its commit.
    const world = new FakeWorld(posts, random, { crashAfterSend: (n) => n === 9 }, 3);
    const j1 = SqliteJournal.open(path, spec);
    await expect(run(world, ["a", "b"], j1, { targets: ["-1002"] })).rejects.toBeInstanceOf(CrashError);
    const flying = j1.inFlight();
    j1.close();
    expect(flying.length).toBeGreaterThan(0);
    const landedBefore = world.landed("-1002");
    // The batch that landed unrecorded; other in-flight rows are batches begun while waiting for their turn.
    const landedFlying = flying.filter((f) => landedBefore.includes(f.postId));
    expect(landedFlying.length).toBeGreaterThan(0);
    const crashedBy = landedFlying[0]!.account;

    // Run 2 lists the accounts the other way round: in-flight chunks must still go to their accounts.
    world.deliverCalls = [];
    (world.faults as Faults).crashAfterSend = undefined;
    const j2 = SqliteJournal.open(path, spec);
    await run(world, crashedBy === "a" ? ["b", "a"] : ["a", "b"], j2, { targets: ["-1002"] });
    expectExactlyOnce(world, "-1002", true);
    const delivered = new Set(landedBefore);
    const resent = world.deliverCalls.filter((c) => c.postIds.some((id) => delivered.has(id)));
    // Only the batch that had landed is sent again, by the same account: Telegram sees a duplicate.
    expect(resent.map((c) => c.postIds.sort((x, y) => x - y))).toEqual([landedFlying.map((f) => f.postId).sort((x, y) => x - y)]);
    expect(resent[0]!.account).toBe(crashedBy);
    for (const f of flying) {
      const call = world.deliverCalls.find((c) => c.postIds.includes(f.postId));
      expect(call?.account, `post ${f.postId} resent by the account that began it`).toBe(f.account);
    }
    expect(j2.inFlight()).toEqual([]);
    j2.close();
  });

  it("retry sends the recorded failures only, once each, and clears them (field fault 23, variant)", async () => {
    const random = rng(31);
    const world = new FakeWorld(channel(60, random), random, { failPosts: new Set([5, 23]) }, 2);
    const journal = new MemoryJournal(spec);
    const first = await run(world, ["a", "b"], journal, { targets: ["-1002"] });
    expect(first.filter((e) => e.type === "failed").length).toBeGreaterThan(0);
    const failed = journal.failedPostIds();
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(journal.failures().every((f) => f.attempts === 1)).toBe(true);
    (world.faults as Faults).failPosts = undefined;
    world.deliverCalls = [];
    await lastValueFrom(
      schedule({
        accounts: accountsOf(world, ["b", "a"], ["-1002"]), journal, range: { fromId: failed[0]!, toId: failed.at(-1)! },
        chunkSize: 15, onlyIds: new Set(failed),
      }).pipe(toArray()),
    );
    expect(world.deliverCalls.flatMap((c) => c.postIds).sort((x, y) => x - y)).toEqual([...failed]);
    expect(journal.failures()).toEqual([]);
    // Relaxed order of the retry is not promised; every post is there exactly once.
    expectExactlyOnce(world, "-1002", false);
  });

  it("the journal remembers what is done whichever way the range is walked", async () => {
    const random = rng(12);
    const world = new FakeWorld(channel(80, random), random, {}, 2);
    const journal = new MemoryJournal(spec);
    const go = (fromId: number, toId: number) =>
      lastValueFrom(schedule({ accounts: accountsOf(world, ["a", "b"], ["-1002"]), journal, range: { fromId, toId }, chunkSize: 7 }).pipe(toArray()));
    await go(41, 80);
    const newer = world.landed("-1002");
    // A batch belongs to the range of its first post: an album begun before 41 is not part of 41..80.
    const firstOf = (p: (typeof world.posts)[number]) => (p.groupedId === undefined ? p.id : world.posts.find((q) => q.groupedId === p.groupedId)!.id);
    expect(newer).toEqual(world.posts.filter((p) => firstOf(p) >= 41).map((p) => p.id));
    world.deliverCalls = [];
    await go(1, 80);
    // Only the older half is sent now; nothing of the newer half again.
    expect(world.deliverCalls.flatMap((c) => c.postIds).every((id) => !newer.includes(id))).toBe(true);
    expect([...world.landed("-1002")].sort((x, y) => x - y)).toEqual(world.posts.map((p) => p.id));
  });

  it("re-running a finished job sends nothing (field fault 23)", async () => {
    const random = rng(5);
    const world = new FakeWorld(channel(60, random), random, {}, 2);
    const path = join(dir, "rerun.db");
    const j1 = SqliteJournal.open(path, spec);
    await run(world, ["a", "b"], j1);
    j1.close();
    world.deliverCalls = [];
    const j2 = SqliteJournal.open(path, spec);
    const events = await run(world, ["b", "a"], j2);
    j2.close();
    expect(world.deliverCalls).toEqual([]);
    expect(events.filter((e) => e.type === "sent")).toEqual([]);
    for (const t of TARGETS) expectExactlyOnce(world, t, true);
  });

  it("replies to posts copied in an earlier run reply to their copies (field fault 25)", async () => {
    const random = rng(9);
    const path = join(dir, "replies.db");
    const first = [post(1), post(2), post(3, { groupedId: "x" }), post(4, { groupedId: "x" })];
    const w1 = new FakeWorld(first, random, {}, 2);
    const j1 = SqliteJournal.open(path, spec);
    await run(w1, ["a"], j1, { targets: ["-1002"] });
    j1.close();
    const copyOf = (id: number) => w1.targets.get("-1002")!.find((m) => m.sourceId === id)!.id;

    const later = [...first, post(7, { replyTo: 1 }), post(8, { replyTo: 4 }), post(9, { replyTo: 5 })];
    const w2 = new FakeWorld(later, random, {}, 2);
    const j2 = SqliteJournal.open(path, spec);
    await run(w2, ["b", "a"], j2, { targets: ["-1002"] });
    j2.close();
    const got = w2.targets.get("-1002")!;
    expect(got.map((m) => m.sourceId)).toEqual([7, 8, 9]);
    expect(got.find((m) => m.sourceId === 7)!.replyTo).toBe(copyOf(1));
    expect(got.find((m) => m.sourceId === 8)!.replyTo).toBe(copyOf(4));
    expect(got.find((m) => m.sourceId === 9)!.replyTo).toBeUndefined();
  });

  it("a graceful stop ends on a batch border; the next run delivers the rest exactly once", async () => {
    for (const order of ["strict", "relaxed"] as const) {
      const random = rng(order === "strict" ? 77 : 78);
      const w = new FakeWorld(channel(150, random), random, {}, 4);
      const j = new MemoryJournal(spec);
      const stop$ = new Subject<void>();
      let sent = 0;
      const ev: ScheduleEvent[] = [];
      await new Promise<void>((resolve, reject) =>
        schedule({ accounts: accountsOf(w, ["a", "b", "c"]), journal: j, range: { toId: 150 }, chunkSize: 15, order, stop$ })
          .subscribe({
            next: (e) => {
              ev.push(e);
              if (e.type === "sent" && ++sent === 20) stop$.next();
            },
            error: reject,
            complete: resolve,
          }),
      );
      expect(ev.at(-1)).toMatchObject({ type: "done", stopped: true });
      // The batch being sent was completed and committed; runs cancelled before their turn left nothing in flight.
      expect(j.inFlight()).toEqual([]);
      const partial = w.landed("-1002");
      expect(partial.length).toBeLessThan(w.posts.length);
      if (order === "strict") expect(partial).toEqual(w.posts.slice(0, partial.length).map((p) => p.id));
      // No album in part, in either target.
      for (const t of TARGETS) {
        const groups = new Map<string, number>();
        for (const m of w.targets.get(t)!) if (m.groupedId) groups.set(m.groupedId, (groups.get(m.groupedId) ?? 0) + 1);
        for (const [g, count] of groups) expect(count).toBe(w.posts.filter((p) => p.groupedId === g).length);
      }
      await run(w, ["c", "a"], j, { order });
      for (const t of TARGETS) expectExactlyOnce(w, t, order === "strict");
    }
  });
});
