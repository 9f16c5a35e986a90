// Source behaviour through the emulator: lazy paging, ranges, cancellation, temp files, DCs.
import { describe, expect, it } from "vitest";
import { firstValueFrom, Subject, toArray } from "rxjs";
import { readdir, stat } from "node:fs/promises";
import { Emulator, type RequestRecord } from "../../src/emulator/index.js";
import { openAccount } from "../../src/telegram/account.js";
import { Pacer } from "../../src/telegram/limiter.js";
import { batchOf } from "../../src/model/batch.js";
import { FloodWait } from "../../src/model/errors.js";
import { readAll } from "./drive.js";
import { tempDir } from "../helpers/tempDir.js";

async function world(opts: { dc?: number; chatDc?: number; tmpDir?: string; posts?: number; floodPauseSeconds?: number; clock?: () => number } = {}) {
  const emu = Emulator.open({ seed: 3 });
  emu.addAccount({ name: "a", dc: opts.dc });
  emu.createChat({ title: "src", username: "srcchan", owner: "a", dc: opts.chatDc });
  const ids: number[] = [];
  for (let i = 0; i < (opts.posts ?? 0); i++) ids.push(emu.addPost("@srcchan", { text: `p${i}` }));
  const acct = await openAccount(emu.client("a"), { name: "a", historyPace: { intervalMs: 0 }, tmpDir: opts.tmpDir, floodPauseSeconds: opts.floodPauseSeconds, clock: opts.clock });
  const source = acct.source(await acct.resolveChat("@srcchan"), { pageSize: 50 });
  return { emu, acct, source, ids };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("Source.read", () => {
  it("reads nothing before demand, one page per demand, oldest first, then completes", async () => {
    const w = await world({ posts: 120 });
    const demand$ = new Subject<void>();
    const got: number[] = [];
    let complete = false;
    w.source.read({}, demand$).subscribe({ next: (p) => got.push(p.id), complete: () => (complete = true) });
    await tick();
    expect(w.emu.requestCount("messages.GetHistory")).toBe(0);
    demand$.next();
    await tick();
    expect(w.emu.requestCount("messages.GetHistory")).toBe(1);
    expect(got).toEqual(w.ids.slice(0, 49)); // page 1 holds the service message 1 too
    demand$.next();
    demand$.next();
    await tick();
    expect(got).toEqual(w.ids);
    expect(complete).toBe(true);
    expect(w.source.stats).toMatchObject({ read: 120, service: 1 });
  });

  it("honours an id range", async () => {
    const w = await world({ posts: 30 });
    const posts = await readAll(w.source, { fromId: w.ids[5], toId: w.ids[9] });
    expect(posts.map((p) => p.id)).toEqual(w.ids.slice(5, 10));
  });

  it("a date range starts at its date (offsetDate), not at the first message", async () => {
    const emu = Emulator.open({ seed: 3 });
    emu.addAccount({ name: "a" });
    emu.createChat({ title: "src", username: "srcchan", owner: "a" });
    const base = Math.floor(Date.now() / 1000) + 3600; // dates never go back before the chat's creation
    const ids = Array.from({ length: 250 }, (_, i) => emu.addPost("@srcchan", { text: `p${i}`, date: base + i * 60 }));
    const acct = await openAccount(emu.client("a"), { name: "a", historyPace: { intervalMs: 0 } });
    const source = acct.source(await acct.resolveChat("@srcchan"));
    const posts = await readAll(source, { since: base + 200 * 60, until: base + 209 * 60 });
    expect(posts.map((p) => p.id)).toEqual(ids.slice(200, 210));
    expect(emu.requestCount("messages.GetHistory")).toBe(1);
  });

  it("is paced by our own limiter, not GramJS's broken waitTime", async () => {
    let now = 0;
    const p = new Pacer(200, 0, () => now);
    await p.take();
    const second = p.take();
    let done = false;
    void second.then(() => (done = true));
    await tick();
    expect(done).toBe(false); // the second call waits its turn
    now = 200;
    await second;
  });
});

describe("Source.download", () => {
  it("case 28: a large file goes to a temp file (no memory held), renamed complete; release removes it", async () => {
    const dir = tempDir("tgr-src-");
    const w = await world({ tmpDir: dir });
    w.emu.addPost("@srcchan", { media: { kind: "video", size: 25 * 1024 * 1024 } });
    const [post] = await readAll(w.source);
    const loaded = await firstValueFrom(w.source.download(batchOf([post!], 0)));
    expect(loaded.memoryBytes).toBe(loaded.files[0]!.thumb?.length ?? 0);
    const f = loaded.files[0]!;
    expect(f.data.kind).toBe("file");
    if (f.data.kind === "file") expect((await stat(f.data.path)).size).toBe(25 * 1024 * 1024);
    expect((await readdir(dir)).some((n) => n.endsWith(".part"))).toBe(false);
    await loaded.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("unsubscribing stops the transfer and removes partial files", async () => {
    const dir = tempDir("tgr-src-");
    const w = await world({ tmpDir: dir });
    w.emu.addPost("@srcchan", { media: { kind: "document", size: 60 * 1024 * 1024 } });
    w.emu.faults.latencyMs(20);
    const [post] = await readAll(w.source);
    const sub = w.source.download(batchOf([post!], 0)).subscribe();
    await new Promise((r) => setTimeout(r, 100));
    sub.unsubscribe();
    await new Promise((r) => setTimeout(r, 200)); // requests already in flight land (latency 20 ms)
    const n = w.emu.requestCount("upload.GetFile");
    await new Promise((r) => setTimeout(r, 100));
    expect(w.emu.requestCount("upload.GetFile")).toBe(n);
    expect(n).toBeLessThan(120);
    expect(await readdir(dir)).toEqual([]);
  });

  it("case 21: files on another DC are asked there directly; one exported authorization for many downloads", async () => {
    const w = await world({ dc: 2, chatDc: 4 });
    for (let i = 0; i < 20; i++) w.emu.addPost("@srcchan", { media: { kind: "document", size: 700 * 1024, dc: 4 } });
    const posts = await readAll(w.source);
    const loaded = await Promise.all(posts.map((p, i) => firstValueFrom(w.source.download(batchOf([p], i)))));
    expect(loaded.every((l) => l.files[0]!.size === 700 * 1024)).toBe(true);
    expect(w.emu.requestCount("auth.ExportAuthorization")).toBeLessThanOrEqual(1);
    expect(w.emu.requestCount("upload.GetFile")).toBe(40); // 2 parts each, no FILE_MIGRATE round trip
    await Promise.all(loaded.map((l) => l.release()));
  });

  it("several files of an album at once, all bytes right", async () => {
    const w = await world();
    for (let i = 0; i < 4; i++) w.emu.addPost("@srcchan", { media: { kind: "photo" }, groupedId: "77" });
    const posts = await readAll(w.source);
    const loaded = await firstValueFrom(w.source.download(batchOf(posts, 0)).pipe(toArray()));
    expect(loaded).toHaveLength(1);
    const inspected = w.emu.inspect("@srcchan");
    const { createHash } = await import("node:crypto");
    expect(loaded[0]!.files.map((f) => createHash("sha256").update((f.data as { bytes: Buffer }).bytes).digest("hex"))).toEqual(inspected.map((p) => p.media!.sha256));
  });
});

describe("errors of reads and downloads", () => {
  it("a flood wait on GetHistory reaches the pipeline as a typed FloodWait; the account sends nothing until it is over", async () => {
    let now = Date.now();
    const w = await world({ posts: 5, floodPauseSeconds: 10, clock: () => now });
    const info = await w.acct.resolveChat("@srcchan");
    w.emu.faults.floodWait({ method: "messages.GetHistory", seconds: 42, times: 1 });
    const err = await readAll(w.source).catch((e) => e);
    expect(err).toBeInstanceOf(FloodWait);
    expect([err.seconds, err.method]).toEqual([42, "messages.GetHistory"]);
    // During the wait (longer than the pause limit) any call of the account fails at once, unsent, with the time left.
    const reads = w.emu.requestCount("messages.GetHistory");
    const early = await readAll(w.source).catch((e) => e);
    expect(early).toBeInstanceOf(FloodWait);
    expect(early.seconds).toBeGreaterThan(30);
    const chat = await w.acct.newestId(info).catch((e) => e);
    expect(chat).toBeInstanceOf(FloodWait);
    expect(w.emu.requestCount("messages.GetHistory")).toBe(reads);
    now += 42_000;
    expect((await readAll(w.source)).length).toBe(5); // after the wait a new subscription reads again
  });

  it("a flood wait on GetFile longer than the pause limit fails the download with a typed FloodWait", async () => {
    const w = await world({ floodPauseSeconds: 10 });
    w.emu.addPost("@srcchan", { media: { kind: "document", size: 2 * 1024 * 1024 } });
    const [post] = await readAll(w.source);
    w.emu.faults.floodWait({ method: "upload.GetFile", seconds: 30, times: 1 });
    const err = await firstValueFrom(w.source.download(batchOf([post!], 0))).catch((e) => e);
    expect(err).toBeInstanceOf(FloodWait);
    expect([err.seconds, err.method]).toEqual([30, "upload.GetFile"]);
  });

  it("a short flood wait mid-download pauses every part of the account, then the download resumes: no part fetched twice", async () => {
    const w = await world();
    w.emu.addPost("@srcchan", { media: { kind: "document", size: 2 * 1024 * 1024 } });
    const [post] = await readAll(w.source);
    const records: RequestRecord[] = [];
    w.emu.onRequest((r) => records.push(r));
    // The third part (two workers: one is mid-file) answers FLOOD_WAIT_1 once.
    w.emu.faults.floodWait({ method: "upload.GetFile", seconds: 1, every: 3, times: 1 });
    const before = w.emu.requestCount("upload.GetFile");
    const loaded = await firstValueFrom(w.source.download(batchOf([post!], 0)));
    const { createHash } = await import("node:crypto");
    expect(createHash("sha256").update((loaded.files[0]!.data as { bytes: Buffer }).bytes).digest("hex")).toBe(w.emu.inspect("@srcchan")[0]!.media!.sha256);
    // 4 parts of 512 KB, plus the one asked again after the wait.
    expect(w.emu.requestCount("upload.GetFile") - before).toBe(5);
    const flood = records.find((r) => r.error === "FLOOD_WAIT_1")!;
    expect(flood).toBeDefined();
    // Nothing of the account arrived during the wait (a part already on the wire may land just after the error).
    expect(records.filter((r) => r.at >= flood.answeredAt + 100 && r.at < flood.answeredAt + 1000)).toEqual([]);
    expect(records.some((r) => r.at >= flood.answeredAt + 1000)).toBe(true);
  });

  it("dropped GetFile calls (TIMEOUT) are retried per part", async () => {
    const w = await world();
    w.emu.addPost("@srcchan", { media: { kind: "document", size: 2 * 1024 * 1024 } });
    const [post] = await readAll(w.source);
    w.emu.faults.dropConnection({ method: "upload.GetFile", afterCalls: 2, times: 2 });
    const loaded = await firstValueFrom(w.source.download(batchOf([post!], 0)));
    expect(loaded.files[0]!.size).toBe(2 * 1024 * 1024);
    const { createHash } = await import("node:crypto");
    expect(createHash("sha256").update((loaded.files[0]!.data as { bytes: Buffer }).bytes).digest("hex")).toBe(w.emu.inspect("@srcchan")[0]!.media!.sha256);
  });
});
