// Field-fault cases (shared/research/field-faults.md) that concern the adapter, through the emulator.
import { describe, expect, it } from "vitest";
import { firstValueFrom, Subject } from "rxjs";
import { Emulator, type RequestRecord } from "../../src/emulator/index.js";
import { openAccount } from "../../src/telegram/account.js";
import { FloodWait, SkipPost } from "../../src/model/errors.js";
import type { CooldownStarted } from "../../src/telegram/cooldown.js";
import type { Entity } from "../../src/model/entity.js";
import type { DeliverContext } from "../../src/ports.js";
import { batches, readAll, relayAll } from "./drive.js";

async function world(opts: { noforwards?: boolean; now?: () => number; premium?: boolean; clock?: () => number; onCooldown?: (w: CooldownStarted) => void } = {}) {
  const emu = Emulator.open({ seed: 5, now: opts.now });
  emu.addAccount({ name: "a", premium: opts.premium });
  emu.createChat({ title: "src", username: "srcchan", owner: "a", noforwards: opts.noforwards });
  emu.createChat({ title: "dst", username: "dstchan", owner: "a" });
  emu.createChat({ title: "dst2", username: "dstchan2", owner: "a" });
  const acct = await openAccount(emu.client("a"), { name: "a", historyPace: { intervalMs: 0 }, clock: opts.clock, onCooldown: opts.onCooldown });
  const src = await acct.resolveChat("@srcchan");
  const dst = await acct.resolveChat("@dstchan");
  return { emu, acct, src, dst, source: acct.source(src) };
}

const ctx = (ids = new Map<number, number>()): DeliverContext => ({ jobId: "job", account: "a", replyTarget: (id) => ids.get(id) });
const kinds = (emu: Emulator, chat: string) => emu.inspect(chat).map((p) => p.media?.kind ?? "text");

describe("album integrity", () => {
  it("case 1: an album is forwarded in ONE ForwardMessages call, ascending ids, one album in the target", async () => {
    const w = await world();
    for (const kind of ["photo", "photo", "video"] as const) w.emu.addPost("@srcchan", { text: kind === "photo" && w.emu.inspect("@srcchan").length === 0 ? "c" : "", media: { kind }, groupedId: "101" });
    const posts = await readAll(w.source);
    const before = w.emu.requestCount("messages.ForwardMessages");
    const [d] = await relayAll(w.source, [w.acct.sink(w.dst, { mode: "forward" })], posts);
    expect(w.emu.requestCount("messages.ForwardMessages") - before).toBe(1);
    expect(d!.strategy).toBe("forward");
    const out = w.emu.inspect("@dstchan");
    expect(out).toHaveLength(3);
    expect(new Set(out.map((p) => p.groupedId)).size).toBe(1);
    expect(out[0]!.groupedId).toBeDefined();
    expect(out[0]!.text).toBe("c");
  });

  it("case 2 + 8: a 10-photo album copy is one SendMultiMedia, caption and entities only on item 1, raw text", async () => {
    const w = await world();
    const entities: Entity[] = [{ type: "textUrl", offset: 6, length: 4, url: "https://u.example" }, { type: "bold", offset: 0, length: 5 }];
    for (let i = 0; i < 10; i++) w.emu.addPost("@srcchan", { text: i === 0 ? "visit site now **x** __y__" : "", entities: i === 0 ? entities : [], media: { kind: "photo" }, groupedId: "102" });
    const posts = await readAll(w.source);
    for (const mode of ["copy", "reupload"] as const) {
      const t = await w.acct.resolveChat(mode === "copy" ? "@dstchan" : "@dstchan2");
      const before = w.emu.requestCount("messages.SendMultiMedia");
      await relayAll(w.source, [w.acct.sink(t, { mode })], posts, `job-${mode}`);
      expect(w.emu.requestCount("messages.SendMultiMedia") - before).toBe(1);
      const out = w.emu.inspect(mode === "copy" ? "@dstchan" : "@dstchan2");
      expect(out).toHaveLength(10);
      expect(new Set(out.map((p) => p.groupedId)).size).toBe(1);
      expect(out[0]!.text).toBe("visit site now **x** __y__");
      expect(out[0]!.entities).toEqual(expect.arrayContaining([expect.objectContaining({ type: "textUrl", offset: 6, length: 4 }), expect.objectContaining({ type: "bold", offset: 0, length: 5 })]));
      expect(out.slice(1).every((p) => p.text === "" && p.entities.length === 0)).toBe(true);
    }
  });

  it("case 6 + 15: a protected document album (image as file, pdf, zip) is reuploaded as documents, one album, same bytes", async () => {
    const w = await world({ noforwards: true });
    w.emu.addPost("@srcchan", { media: { kind: "document", fileName: "a.jpg", mimeType: "image/jpeg", width: 10, height: 10 }, groupedId: "103" });
    w.emu.addPost("@srcchan", { media: { kind: "document", fileName: "b.pdf", mimeType: "application/pdf" }, groupedId: "103" });
    w.emu.addPost("@srcchan", { media: { kind: "document", fileName: "c.zip", mimeType: "application/zip" }, groupedId: "103" });
    w.emu.addPost("@srcchan", { media: { kind: "animation" } });
    const posts = await readAll(w.source);
    const ds = await relayAll(w.source, [w.acct.sink(w.dst, { mode: "auto" })], posts);
    expect(ds.map((d) => d.strategy)).toEqual(["reupload", "reupload"]);
    expect(w.emu.requestCount("messages.ForwardMessages")).toBe(0); // case 29: no forward attempt
    const src = w.emu.inspect("@srcchan");
    const out = w.emu.inspect("@dstchan");
    expect(kinds(w.emu, "@dstchan")).toEqual(["document", "document", "document", "animation"]);
    expect(out.map((p) => p.media?.fileName)).toEqual(src.map((p) => p.media?.fileName));
    expect(out.map((p) => p.media?.sha256)).toEqual(src.map((p) => p.media?.sha256));
    expect(new Set(out.slice(0, 3).map((p) => p.groupedId)).size).toBe(1);
    expect(out[3]!.groupedId).toBeUndefined();
  });
});

describe("media type fidelity", () => {
  it("cases 13, 14, 17: pdf and mkv-as-file stay documents, video keeps attributes and thumb, photo stays photo", async () => {
    const w = await world({ noforwards: true });
    w.emu.addPost("@srcchan", { media: { kind: "document", fileName: "report.pdf", mimeType: "application/pdf" } });
    w.emu.addPost("@srcchan", { media: { kind: "document", fileName: "clip.mkv", mimeType: "video/x-matroska", duration: 12, width: 640, height: 360 } });
    w.emu.addPost("@srcchan", { media: { kind: "video", fileName: "clip.mp4", mimeType: "video/mp4", duration: 95, width: 1280, height: 720, supportsStreaming: true, thumbnail: true } });
    w.emu.addPost("@srcchan", { media: { kind: "photo" } });
    const posts = await readAll(w.source);
    await relayAll(w.source, [w.acct.sink(w.dst, { mode: "auto" })], posts);
    const out = w.emu.inspect("@dstchan");
    expect(out.map((p) => p.media?.kind)).toEqual(["document", "document", "video", "photo"]);
    expect(out[0]!.media).toMatchObject({ fileName: "report.pdf", mimeType: "application/pdf" });
    expect(out[1]!.media).toMatchObject({ fileName: "clip.mkv" });
    expect(out[2]!.media).toMatchObject({ duration: 95, width: 1280, height: 720, supportsStreaming: true, fileName: "clip.mp4" });
    expect(out[2]!.media!.thumbSha256).toBe(w.emu.inspect("@srcchan")[2]!.media!.thumbSha256);
    expect(out.map((p) => p.media?.sha256)).toEqual(w.emu.inspect("@srcchan").map((p) => p.media?.sha256));
  });
});

describe("rate limits and resume", () => {
  it("case 19: FLOOD_WAIT_69 on a send is a typed FloodWait; nothing goes out during the wait; the retry after it sends that post, order kept", async () => {
    let now = Date.now();
    const w = await world({ clock: () => now });
    for (const t of ["995", "996", "997", "998"]) w.emu.addPost("@srcchan", { text: t });
    const posts = await readAll(w.source);
    const sink = w.acct.sink(w.dst, { mode: "copy" });
    const bs = batches(posts);
    await firstValueFrom(sink.deliver({ batch: bs[0]!, files: [], memoryBytes: 0, release: async () => {} }, ctx()));
    w.emu.faults.floodWait({ method: "messages.SendMessage", seconds: 69, times: 1 });
    const err = await firstValueFrom(sink.deliver({ batch: bs[1]!, files: [], memoryBytes: 0, release: async () => {} }, ctx())).catch((e) => e);
    expect(err).toBeInstanceOf(FloodWait);
    expect(err.seconds).toBe(69);
    // A retry during the wait is refused in the adapter (69 s is over the pause limit): nothing is sent.
    const sends = w.emu.requestCount("messages.SendMessage");
    const early = await firstValueFrom(sink.deliver({ batch: bs[1]!, files: [], memoryBytes: 0, release: async () => {} }, ctx())).catch((e) => e);
    expect(early).toBeInstanceOf(FloodWait);
    expect(early.seconds).toBeGreaterThan(60);
    expect(w.emu.requestCount("messages.SendMessage")).toBe(sends);
    now += 69_000;
    for (const b of bs.slice(1)) await firstValueFrom(sink.deliver({ batch: b, files: [], memoryBytes: 0, release: async () => {} }, ctx()));
    expect(w.emu.inspect("@dstchan").map((p) => p.text)).toEqual(["995", "996", "997", "998"]);
  });

  it("case 19b: a flood wait on an album send re-sends the whole album once, never a partial one", async () => {
    let now = Date.now();
    const w = await world({ noforwards: true, clock: () => now });
    for (let i = 0; i < 5; i++) w.emu.addPost("@srcchan", { media: { kind: "photo" }, groupedId: "104" });
    const posts = await readAll(w.source);
    const sink = w.acct.sink(w.dst, { mode: "auto" });
    const [b] = batches(posts);
    const loaded = await firstValueFrom(w.source.download(b!));
    w.emu.faults.floodWait({ method: "messages.SendMultiMedia", seconds: 3, times: 1 });
    await expect(firstValueFrom(sink.deliver(loaded, ctx()))).rejects.toBeInstanceOf(FloodWait);
    expect(w.emu.inspect("@dstchan")).toHaveLength(0);
    now += 3_000;
    const d = await firstValueFrom(sink.deliver(loaded, ctx()));
    expect([...d.ids.values()].flat()).toHaveLength(5);
    expect(w.emu.inspect("@dstchan")).toHaveLength(5);
  });

  it("case 23/RES: a resend after a crash meets RANDOM_ID_DUPLICATE, counts as delivered with the same ids, nothing posted twice", async () => {
    const w = await world({ premium: true });
    w.emu.addPost("@srcchan", { text: "t1" });
    for (let i = 0; i < 3; i++) w.emu.addPost("@srcchan", { text: i ? "" : "al", media: { kind: i === 2 ? "video" : "photo" }, groupedId: "105" });
    w.emu.addPost("@srcchan", { text: "long ".repeat(900), media: { kind: "photo" } }); // a split caption: two sends
    const posts = await readAll(w.source);
    for (const mode of ["copy", "forward", "reupload"] as const) {
      // Random ids depend on (source chat, post, target, index) only, so each mode gets its own target.
      w.emu.createChat({ title: `dst ${mode}`, username: `dst_${mode}`, owner: "a" });
      const t = await w.acct.resolveChat(`@dst_${mode}`);
      const first = await relayAll(w.source, [w.acct.sink(t, { mode })], posts, `crash-${mode}`);
      const count = w.emu.inspect(`@dst_${mode}`).length;
      expect(first.every((d) => !d.duplicate)).toBe(true);
      // Another job (here: another job id) resending the same posts to the same target is a duplicate too.
      const again = await relayAll(w.source, [w.acct.sink(t, { mode })], posts, `another-job-${mode}`);
      expect(w.emu.inspect(`@dst_${mode}`).length).toBe(count);
      expect(again.every((d) => d.duplicate)).toBe(true);
      expect(again.map((d) => [...d.ids])).toEqual(first.map((d) => [...d.ids]));
    }
  });

  it("case 22: FILE_REFERENCE_EXPIRED re-reads the message by id and completes with the same bytes", async () => {
    let now = 1_700_000_000_000;
    const w = await world({ noforwards: true, now: () => now });
    w.emu.addPost("@srcchan", { media: { kind: "video", size: 3 * 1024 * 1024 } });
    w.emu.faults.fileReferenceTtlMs(60_000);
    const posts = await readAll(w.source);
    now += 3 * 3600_000; // the download starts 3 h later
    const before = w.emu.requestCount("channels.GetMessages");
    const loaded = await firstValueFrom(w.source.download(batches(posts)[0]!));
    expect(w.emu.requestCount("channels.GetMessages") - before).toBeGreaterThanOrEqual(1);
    await relayAll(w.source, [w.acct.sink(w.dst, { mode: "auto" })], posts);
    expect(w.emu.inspect("@dstchan")[0]!.media!.sha256).toBe(w.emu.inspect("@srcchan")[0]!.media!.sha256);
    expect(loaded.files[0]!.size).toBe(3 * 1024 * 1024);
    await loaded.release();
  });
});

describe("uploaded media references", () => {
  it("reupload: a reference from UploadMedia that expired while the post waited for its turn is uploaded again", async () => {
    let now = 1_700_000_000_000;
    const w = await world({ noforwards: true, now: () => now });
    w.emu.addPost("@srcchan", { text: "p", media: { kind: "photo" } });
    w.emu.faults.fileReferenceTtlMs(60_000);
    const posts = await readAll(w.source);
    const loaded = await firstValueFrom(w.source.download(batches(posts)[0]!));
    const sink = w.acct.sink(w.dst, { mode: "reupload" });
    const turn = new Subject<void>();
    const before = w.emu.requestCount("messages.UploadMedia");
    const sent = firstValueFrom(sink.deliver(loaded, { ...ctx(), turn }));
    // The upload runs before the turn; the turn comes an hour later, when its reference has expired.
    for (let i = 0; i < 200 && w.emu.requestCount("messages.UploadMedia") === before; i++) await new Promise((r) => setTimeout(r, 5));
    expect(w.emu.requestCount("messages.UploadMedia") - before).toBe(1);
    now += 3_600_000;
    turn.next();
    const d = await sent;
    expect(d.ids.get(posts[0]!.id)).toHaveLength(1);
    expect(w.emu.requestCount("messages.UploadMedia") - before).toBe(2);
    expect(w.emu.inspect("@dstchan")[0]!.media!.sha256).toBe(w.emu.inspect("@srcchan")[0]!.media!.sha256);
    await loaded.release();
  });
});

describe("large files (case 28, GramJS's 20 MiB trap)", () => {
  it("a 25 MB protected video goes through a temp file and is reuploaded byte-identical", async () => {
    const w = await world({ noforwards: true });
    w.emu.addPost("@srcchan", { media: { kind: "video", size: 25 * 1024 * 1024, duration: 30, width: 640, height: 360 } });
    const posts = await readAll(w.source);
    await relayAll(w.source, [w.acct.sink(w.dst, {})], posts);
    expect(w.emu.inspect("@dstchan")[0]!.media!.sha256).toBe(w.emu.inspect("@srcchan")[0]!.media!.sha256);
  });

  it("a 21 MiB file held in memory uploads too (GramJS refuses it without maxBufferSize)", async () => {
    const emu = Emulator.open({ seed: 5 });
    emu.addAccount({ name: "a" });
    emu.createChat({ title: "src", username: "srcchan", owner: "a", noforwards: true });
    emu.createChat({ title: "dst", username: "dstchan", owner: "a" });
    emu.addPost("@srcchan", { media: { kind: "document", size: 21 * 1024 * 1024, fileName: "big.bin" } });
    const acct = await openAccount(emu.client("a"), { name: "a", historyPace: { intervalMs: 0 }, inMemoryLimitBytes: 64 * 1024 * 1024 });
    const source = acct.source(await acct.resolveChat("@srcchan"));
    const posts = await readAll(source);
    const loaded = await firstValueFrom(source.download(batches(posts)[0]!));
    expect(loaded.files[0]!.data.kind).toBe("memory");
    await firstValueFrom(acct.sink(await acct.resolveChat("@dstchan"), {}).deliver(loaded, ctx()));
    expect(emu.inspect("@dstchan")[0]!.media!.sha256).toBe(emu.inspect("@srcchan")[0]!.media!.sha256);
  });
});

describe("flood waits in the middle of an upload", () => {
  it("a short flood wait on a SaveFilePart pauses the upload and the account's other calls, then the upload resumes: no part sent twice", async () => {
    const cooldowns: CooldownStarted[] = [];
    let readDuringWait: Promise<unknown> | undefined;
    const w = await world({
      noforwards: true,
      onCooldown: (c) => {
        cooldowns.push(c);
        // A read started once the account knows of the wait is held too.
        readDuringWait ??= readAll(w.source);
      },
    });
    // 1 MiB: 8 parts of 128 KB (GramJS's part size under 100 MB), not a big file.
    w.emu.addPost("@srcchan", { media: { kind: "document", size: 1024 * 1024, fileName: "a.bin" } });
    const posts = await readAll(w.source);
    const loaded = await firstValueFrom(w.source.download(batches(posts)[0]!));
    const records: RequestRecord[] = [];
    w.emu.onRequest((r) => records.push(r));
    w.emu.faults.floodWait({ method: "upload.SaveFilePart", seconds: 1, every: 3, times: 1 });
    const before = w.emu.requestCount("upload.SaveFilePart");
    await firstValueFrom(w.acct.sink(w.dst, { mode: "reupload" }).deliver(loaded, ctx()));
    await readDuringWait;
    expect(w.emu.requestCount("upload.SaveFilePart") - before).toBe(8 + 1);
    expect(w.emu.inspect("@dstchan")[0]!.media!.sha256).toBe(w.emu.inspect("@srcchan")[0]!.media!.sha256);
    const flood = records.find((r) => r.error === "FLOOD_WAIT_1")!;
    expect(flood.method).toBe("upload.SaveFilePart");
    expect(cooldowns.map((c) => [c.method, c.seconds, c.scope])).toEqual([["upload.SaveFilePart", 1, "account"]]);
    // Parts already on the wire land just after the error; nothing else arrives during the wait.
    expect(records.filter((r) => r.at >= flood.answeredAt + 100 && r.at < flood.answeredAt + 1000)).toEqual([]);
    expect(records.some((r) => r.method === "messages.GetHistory" && r.at >= flood.answeredAt + 1000)).toBe(true);
  });

  it("a big file (over 10 MiB) goes up as SaveBigFilePart parts and arrives byte-identical", async () => {
    const w = await world({ noforwards: true });
    w.emu.addPost("@srcchan", { media: { kind: "document", size: 11 * 1024 * 1024, fileName: "big.bin" } });
    const posts = await readAll(w.source);
    const loaded = await firstValueFrom(w.source.download(batches(posts)[0]!));
    w.emu.faults.floodWait({ method: "upload.SaveBigFilePart", seconds: 1, every: 20, times: 1 });
    const before = w.emu.requestCount("upload.SaveBigFilePart");
    await firstValueFrom(w.acct.sink(w.dst, { mode: "reupload" }).deliver(loaded, ctx()));
    expect(w.emu.requestCount("upload.SaveBigFilePart") - before).toBe(88 + 1);
    expect(w.emu.requestCount("upload.SaveFilePart")).toBe(0);
    expect(w.emu.inspect("@dstchan")[0]!.media!.sha256).toBe(w.emu.inspect("@srcchan")[0]!.media!.sha256);
    await loaded.release();
  });
});

describe("copy with expired file references", () => {
  it("FILE_REFERENCE_EXPIRED on a send by reference re-reads the messages and sends again", async () => {
    let now = 1_800_000_000_000;
    const w = await world({ now: () => now });
    for (let i = 0; i < 3; i++) w.emu.addPost("@srcchan", { media: { kind: "photo" }, groupedId: "107" });
    w.emu.faults.fileReferenceTtlMs(60_000);
    const posts = await readAll(w.source);
    now += 3600_000;
    const before = w.emu.requestCount("channels.GetMessages");
    const [d] = await relayAll(w.source, [w.acct.sink(w.dst, { mode: "copy" })], posts);
    expect(d!.strategy).toBe("copy");
    expect(w.emu.requestCount("channels.GetMessages") - before).toBeGreaterThanOrEqual(1);
    expect(w.emu.inspect("@dstchan").map((p) => p.media?.sha256)).toEqual(w.emu.inspect("@srcchan").map((p) => p.media?.sha256));
  });
});

describe("access and targets", () => {
  it("case 30: per-message protection: forward 410 and 412, reupload 411, order kept", async () => {
    const w = await world();
    w.emu.addPost("@srcchan", { media: { kind: "photo" } });
    w.emu.addPost("@srcchan", { media: { kind: "photo" }, noforwards: true });
    w.emu.addPost("@srcchan", { text: "412" });
    const posts = await readAll(w.source);
    const ds = await relayAll(w.source, [w.acct.sink(w.dst, { mode: "auto", prefer: "forward" })], posts);
    expect(ds.map((d) => d.strategy)).toEqual(["forward", "reupload", "forward"]);
    expect(kinds(w.emu, "@dstchan")).toEqual(["photo", "photo", "text"]);
  });

  it("skip-protected on an album leaves one item: it goes alone (SendMultiMedia needs two)", async () => {
    const w = await world();
    w.emu.addPost("@srcchan", { media: { kind: "photo" }, groupedId: "108" });
    w.emu.addPost("@srcchan", { media: { kind: "photo" }, groupedId: "108", noforwards: true });
    const posts = await readAll(w.source);
    const [d] = await relayAll(w.source, [w.acct.sink(w.dst, { skipProtected: true })], posts);
    expect(d!.skipped).toHaveLength(1);
    expect(w.emu.inspect("@dstchan").map((p) => p.media?.kind)).toEqual(["photo"]);
  });

  it("skip-protected leaves protected posts out and says so", async () => {
    const w = await world();
    w.emu.addPost("@srcchan", { text: "open" });
    w.emu.addPost("@srcchan", { text: "closed", noforwards: true });
    const posts = await readAll(w.source);
    const ds = await relayAll(w.source, [w.acct.sink(w.dst, { mode: "auto", skipProtected: true })], posts);
    expect(ds[1]!.skipped).toEqual([{ postId: posts[1]!.id, reason: expect.stringMatching(/protected/) }]);
    expect(w.emu.inspect("@dstchan").map((p) => p.text)).toEqual(["open"]);
  });

  it("several targets: each file is uploaded once, sent to each", async () => {
    const w = await world({ noforwards: true });
    w.emu.addPost("@srcchan", { media: { kind: "video", size: 2 * 1024 * 1024 } });
    const posts = await readAll(w.source);
    const dst2 = await w.acct.resolveChat("@dstchan2");
    const before = w.emu.requestCount("messages.UploadMedia");
    await relayAll(w.source, [w.acct.sink(w.dst, {}), w.acct.sink(dst2, {})], posts);
    expect(w.emu.requestCount("messages.UploadMedia") - before).toBe(1);
    expect(w.emu.inspect("@dstchan")[0]!.media!.sha256).toBe(w.emu.inspect("@dstchan2")[0]!.media!.sha256);
  });

  it("strict order: uploads run before the turn, the posting request waits for it", async () => {
    const w = await world({ noforwards: true });
    for (let i = 0; i < 3; i++) w.emu.addPost("@srcchan", { media: { kind: "photo" }, groupedId: "106" });
    const posts = await readAll(w.source);
    const sink = w.acct.sink(w.dst, {});
    expect(sink.awaitsTurn).toBe(true);
    const loaded = await firstValueFrom(w.source.download(batches(posts)[0]!));
    const turn = new Subject<void>();
    let delivered = false;
    const p = firstValueFrom(sink.deliver(loaded, { ...ctx(), turn })).then((d) => ((delivered = true), d));
    await new Promise((r) => setTimeout(r, 100));
    expect(w.emu.requestCount("messages.UploadMedia")).toBe(3);
    expect(w.emu.requestCount("messages.SendMultiMedia")).toBe(0);
    expect(delivered).toBe(false);
    turn.next();
    const d = await p;
    expect([...d.ids.values()].flat()).toHaveLength(3);
    expect(w.emu.requestCount("messages.SendMultiMedia")).toBe(1);
  });

  it("replies keep their link; a reply to a post not copied is sent without it, with a warning (case 25)", async () => {
    const w = await world();
    const first = w.emu.addPost("@srcchan", { text: "root" });
    w.emu.addPost("@srcchan", { text: "re", replyTo: first });
    const posts = await readAll(w.source);
    await relayAll(w.source, [w.acct.sink(w.dst, { mode: "copy" })], posts);
    const out = w.emu.inspect("@dstchan");
    expect(out[1]!.replyTo).toBe(out[0]!.id);
    const alone = await relayAll(w.source, [w.acct.sink(await w.acct.resolveChat("@dstchan2"), { mode: "copy" })], posts.slice(1));
    expect(alone[0]!.warnings?.[0]).toMatch(/without the reply link/);
  });

  it("captions over the limit: split (default) sends the rest after; fail skips with the reason", async () => {
    const w = await world();
    const text = "word ".repeat(400); // 2000 > 1024
    w.emu.addPost("@srcchan", { text, media: { kind: "photo" } });
    const posts = await readAll(w.source);
    const [d] = await relayAll(w.source, [w.acct.sink(w.dst, { mode: "copy" })], posts);
    expect(d!.warnings?.[0]).toMatch(/split/);
    const out = w.emu.inspect("@dstchan");
    expect(out).toHaveLength(2);
    expect(out[0]!.text + out[1]!.text).toBe(text);
    const fail = w.acct.sink(await w.acct.resolveChat("@dstchan2"), { mode: "copy", captionPolicy: "fail" });
    await expect(firstValueFrom(fail.deliver({ batch: batches(posts)[0]!, files: [], memoryBytes: 0, release: async () => {} }, ctx()))).rejects.toBeInstanceOf(SkipPost);
  });

  it("resolveChat: clear errors for bad references and unknown chats", async () => {
    const w = await world();
    await expect(w.acct.resolveChat("not a chat!")).rejects.toThrow(/not a chat reference/);
    await expect(w.acct.resolveChat("@nosuchchat")).rejects.toThrow(/nosuchchat/);
    const c = await w.acct.resolveChat(`https://t.me/c/${w.src.chatId.slice(4)}/45`);
    expect([c.chatId, c.messageId]).toEqual([w.src.chatId, 45]);
    // A fresh account object knows no access hash: the -100 id is found through the dialogs.
    const fresh = await openAccount(w.emu.client("a"), { name: "a", historyPace: { intervalMs: 0 } });
    const byId = await fresh.resolveChat(w.dst.chatId);
    expect([byId.chatId, byId.title]).toEqual([w.dst.chatId, "dst"]);
    expect(w.emu.requestCount("messages.GetDialogs")).toBeGreaterThanOrEqual(1);
    w.emu.addPost("@dstchan", { text: "x" });
    expect(await fresh.newestId(byId)).toBe(w.emu.inspect("@dstchan").at(-1)!.id);
  });
});
