// The dir: target on its own: fault case 7 (album members and same-named files), atomic writes, re-runs.
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { lastValueFrom } from "rxjs";
import { describe, expect, it } from "vitest";
import { MANIFEST, readManifest, type ArchiveSink } from "../../src/archive/index.js";
import { batchOf, type Loaded, type Post } from "../../src/model/index.js";
import type { DeliverContext } from "../../src/ports.js";
import { archiveSink, memorySource, post, runRelay, tmp } from "./helpers.js";

const ctx: DeliverContext = { jobId: "j", replyTarget: () => undefined, account: "" };
const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

function loadedOf(posts: Post[], bytes: Map<number, Buffer>, seq = 0): Loaded {
  const batch = batchOf(posts, seq);
  return {
    batch,
    files: posts.filter((p) => bytes.has(p.id)).map((p) => ({ postId: p.id, data: { kind: "memory" as const, bytes: bytes.get(p.id)! }, size: bytes.get(p.id)!.length })),
    memoryBytes: 0,
    release: async () => {},
  };
}
const deliver = (sink: ArchiveSink, posts: Post[], bytes: Map<number, Buffer>, seq = 0) =>
  lastValueFrom(sink.deliver(loadedOf(posts, bytes, seq), ctx));

describe("fault case 7: files are named from the post id", () => {
  it("keeps all 5 photos of an album sent in the same second, in order, linked to the album", async () => {
    const date = 1_650_000_000;
    const posts = [50, 51, 52, 53, 54].map((id) =>
      post(id, { date, groupedId: "G", text: id === 50 ? "c" : "", media: { kind: "photo", size: 3, width: 10, height: 10 } }),
    );
    const bytes = new Map(posts.map((p) => [p.id, Buffer.from(`photo ${p.id}`)]));
    const root = tmp();
    const sink = archiveSink(`dir:${root}`);
    await runRelay(memorySource("-1001", posts, bytes), [sink]);
    const folder = sink.folderOf("-1001");
    const entries = await readManifest(folder);
    expect(entries.map((e) => e.id)).toEqual([50, 51, 52, 53, 54]);
    expect(entries.every((e) => e.groupedId === "G")).toBe(true);
    const files = entries.map((e) => e.file!);
    expect(new Set(files).size).toBe(5);
    for (const e of entries) {
      const b = await fs.readFile(path.join(folder, e.file!));
      expect(b.toString()).toBe(`photo ${e.id}`);
      expect(e.sha256).toBe(sha(b));
    }
  });

  it("keeps two different documents both named video.mp4 as two files", async () => {
    const media = { kind: "document" as const, fileName: "video.mp4", mimeType: "video/mp4", size: 1 };
    const posts = [post(60, { media }), post(61, { media })];
    const bytes = new Map([[60, Buffer.from("A")], [61, Buffer.from("B")]]);
    const sink = archiveSink(`dir:${tmp()}`);
    await deliver(sink, [posts[0]!], bytes);
    await deliver(sink, [posts[1]!], bytes);
    const folder = sink.folderOf("-1001");
    const entries = await readManifest(folder);
    expect(entries.map((e) => e.file)).toEqual(["60_video.mp4", "61_video.mp4"]);
    expect((await fs.readFile(path.join(folder, "60_video.mp4"))).toString()).toBe("A");
    expect((await fs.readFile(path.join(folder, "61_video.mp4"))).toString()).toBe("B");
  });
});

describe("dir: target", () => {
  it("sanitises and bounds names from hostile file names", async () => {
    const long = "é".repeat(300) + ".pdf";
    const posts = [
      post(1, { media: { kind: "document", fileName: "../../etc/passwd", size: 1 } }),
      post(2, { media: { kind: "document", fileName: long, size: 1 } }),
      post(3, { media: { kind: "document", fileName: "a\u0000b:c*?.txt", size: 1 } }),
    ];
    const bytes = new Map(posts.map((p) => [p.id, Buffer.from("x")]));
    const root = tmp();
    const sink = archiveSink(`dir:${root}`);
    for (const p of posts) await deliver(sink, [p], bytes);
    const folder = sink.folderOf("-1001");
    const names = (await fs.readdir(folder)).filter((n) => n !== MANIFEST && !n.startsWith(".")).sort();
    expect(names).toHaveLength(3);
    for (const n of names) {
      expect(n).not.toContain("/");
      expect(n).not.toMatch(/[\u0000-\u001f:*?]/);
      expect(Buffer.byteLength(n)).toBeLessThanOrEqual(120);
    }
    expect(names.find((n) => n.startsWith("2_"))).toMatch(/\.pdf$/);
    // Nothing escaped the chat folder.
    expect((await fs.readdir(root)).sort()).toEqual([path.basename(folder)]);
  });

  it("writes text-only posts and polls into the manifest without files", async () => {
    const posts = [
      post(1, { text: "hello", entities: [{ type: "bold", offset: 0, length: 5 }] }),
      post(2, { media: { kind: "poll", size: 0, poll: { question: "q", answers: [{ text: "a", option: "30" }] } } }),
    ];
    const sink = archiveSink(`dir:${tmp()}`);
    expect(sink.needsBytes(batchOf([posts[0]!], 0))).toBe(false);
    expect(sink.needsBytes(batchOf([posts[1]!], 1))).toBe(false);
    await deliver(sink, [posts[0]!], new Map());
    await deliver(sink, [posts[1]!], new Map(), 1);
    const entries = await readManifest(sink.folderOf("-1001"));
    expect(entries.map((e) => [e.id, e.file, e.media?.kind])).toEqual([[1, undefined, undefined], [2, undefined, "poll"]]);
    expect(entries[0]!.entities).toEqual([{ type: "bold", offset: 0, length: 5 }]);
  });

  it("a re-run adds only what is missing and never rewrites a complete file", async () => {
    const media = { kind: "photo" as const, size: 1 };
    const posts = [post(1, { media }), post(2, { text: "t" }), post(3, { media })];
    const bytes = new Map([[1, Buffer.from("one")], [3, Buffer.from("three")]]);
    const root = tmp();
    const first = archiveSink(`dir:${root}`);
    await deliver(first, [posts[0]!], bytes);
    await deliver(first, [posts[1]!], bytes, 1);
    const folder = first.folderOf("-1001");
    const before = await fs.stat(path.join(folder, "1.jpg"));

    // A new process: the sink reads the manifest back.
    const again = archiveSink(`dir:${root}`);
    expect(again.needsBytes(batchOf([posts[0]!], 0))).toBe(false);
    expect(again.needsBytes(batchOf([posts[2]!], 2))).toBe(true);
    const d1 = await deliver(again, [posts[0]!], new Map([[1, Buffer.from("CHANGED")]]));
    expect(d1.duplicate).toBe(true);
    expect(d1.ids.get(1)).toEqual([1]);
    const d3 = await deliver(again, [posts[2]!], bytes, 2);
    expect(d3.duplicate).toBeUndefined();
    expect(d3.strategy).toBe("archive");
    expect(d3.ids.get(3)).toEqual([3]);
    const after = await fs.stat(path.join(folder, "1.jpg"));
    expect(after.ino).toBe(before.ino);
    expect((await fs.readFile(path.join(folder, "1.jpg"))).toString()).toBe("one");
    expect((await readManifest(folder)).map((e) => e.id)).toEqual([1, 2, 3]);
  });

  it("keeps the manifest in source order when an earlier post is added later", async () => {
    const sink = archiveSink(`dir:${tmp()}`);
    for (const id of [5, 9, 2, 7]) await deliver(sink, [post(id, { text: String(id) })], new Map());
    const text = await fs.readFile(path.join(sink.folderOf("-1001"), MANIFEST), "utf8");
    expect(text.trim().split("\n").map((l) => JSON.parse(l).id)).toEqual([2, 5, 7, 9]);
  });

  it("hashes a complete file left without its manifest line (a crash in between) instead of downloading it", async () => {
    const root = tmp();
    const sink = archiveSink(`dir:${root}`);
    const folder = sink.folderOf("-1001");
    await fs.mkdir(folder, { recursive: true });
    await fs.writeFile(path.join(folder, "4.jpg"), "complete");
    const p = post(4, { media: { kind: "photo", size: 8 } });
    expect(sink.needsBytes(batchOf([p], 0))).toBe(false);
    await deliver(sink, [p], new Map());
    const [e] = await readManifest(folder);
    expect(e!.sha256).toBe(sha(Buffer.from("complete")));
  });

  it("a crash between the media file and its thumbnail: the rerun downloads again, writes the thumbnail, removes the .part", async () => {
    const root = tmp();
    const sink = archiveSink(`dir:${root}`);
    const folder = sink.folderOf("-1001");
    await fs.mkdir(folder, { recursive: true });
    // What the killed writer left: the media file renamed, the thumbnail still a .part, no manifest line.
    await fs.writeFile(path.join(folder, "4.mp4"), "complete");
    await fs.writeFile(path.join(folder, "4.thumb.jpg.part"), "th");
    await fs.writeFile(path.join(folder, "9_other.bin.part"), "half");
    const p = post(4, { media: { kind: "video", size: 8, thumbnail: { type: "m", width: 2, height: 2, size: 5 } } });
    expect(sink.needsBytes(batchOf([p], 0))).toBe(true);
    const loaded = loadedOf([p], new Map([[4, Buffer.from("complete")]]));
    const withThumb: Loaded = { ...loaded, files: loaded.files.map((f) => ({ ...f, thumb: Buffer.from("thumb") })) };
    await lastValueFrom(sink.deliver(withThumb, ctx));
    const [e] = await readManifest(folder);
    expect(e).toMatchObject({ id: 4, file: "4.mp4", thumb: "4.thumb.jpg" });
    expect(await fs.readFile(path.join(folder, "4.thumb.jpg"), "utf8")).toBe("thumb");
    expect((await fs.readdir(folder)).filter((n) => n.endsWith(".part"))).toEqual([]);
    await sink.close();
  });

  it("drops a manifest line cut by a crash and rewrites the manifest whole on the next write", async () => {
    const root = tmp();
    const sink = archiveSink(`dir:${root}`);
    await deliver(sink, [post(1, { text: "a" })], new Map());
    const file = path.join(sink.folderOf("-1001"), MANIFEST);
    await fs.appendFile(file, '{"v":1,"chatId":"-1001","id":2,"da');
    const again = archiveSink(`dir:${root}`);
    await deliver(again, [post(3, { text: "c" })], new Map());
    expect((await readManifest(sink.folderOf("-1001"))).map((e) => e.id)).toEqual([1, 3]);
    expect((await fs.readFile(file, "utf8")).endsWith("}\n")).toBe(true);
  });

  it("sets each file's mtime to the post date and leaves no .part file when a write is aborted", async () => {
    const sink = archiveSink(`dir:${tmp()}`);
    const p = post(8, { date: 1_500_000_000, media: { kind: "photo", size: 3 } });
    await deliver(sink, [p], new Map([[8, Buffer.from("abc")]]));
    const folder = sink.folderOf("-1001");
    expect(Math.floor((await fs.stat(path.join(folder, "8.jpg"))).mtimeMs / 1000)).toBe(1_500_000_000);

    // A file-backed download that is unsubscribed at once.
    const big = path.join(folder, "..", "big.bin");
    await fs.writeFile(big, Buffer.alloc(4 << 20));
    const q = post(9, { media: { kind: "document", fileName: "big.bin", size: 4 << 20 } });
    const loaded: Loaded = { batch: batchOf([q], 1), files: [{ postId: 9, data: { kind: "file", path: big }, size: 4 << 20 }], memoryBytes: 0, release: async () => {} };
    const sub = sink.deliver(loaded, ctx).subscribe({ error: () => {} });
    sub.unsubscribe();
    // Deliveries to one folder run one after another: when the next is done, the aborted one has settled.
    await deliver(sink, [post(10, { text: "after" })], new Map(), 2);
    const names = await fs.readdir(folder);
    expect(names.filter((n) => n.endsWith(".part"))).toEqual([]);
    expect((await readManifest(folder)).map((e) => e.id)).toEqual([8, 10]);
  });

  it("reports a media post that came without bytes as skipped instead of writing a manifest line", async () => {
    const sink = archiveSink(`dir:${tmp()}`);
    const d = await deliver(sink, [post(5, { media: { kind: "photo", size: 3 } })], new Map());
    expect(d.skipped).toEqual([{ postId: 5, reason: "no bytes were downloaded for its media" }]);
    expect(await readManifest(sink.folderOf("-1001"))).toEqual([]);
  });
});

describe("manifest lines", () => {
  it("leave out the nulls an adapter may pass and an empty pre language", async () => {
    const sink = archiveSink(`dir:${tmp()}`);
    const media = { kind: "voice", size: 1, duration: 2, performer: null, title: null, waveform: null } as unknown as Post["media"];
    const p = post(1, { text: "x", entities: [{ type: "pre", offset: 0, length: 1, language: "" }], media, postAuthor: null } as unknown as Partial<Post>);
    await deliver(sink, [p], new Map([[1, Buffer.from("v")]]));
    const line = (await fs.readFile(path.join(sink.folderOf("-1001"), MANIFEST), "utf8")).trim();
    expect(line).not.toContain("null");
    const e = JSON.parse(line);
    expect(e.entities).toEqual([{ type: "pre", offset: 0, length: 1 }]);
    expect(e.media).toEqual({ kind: "voice", size: 1, duration: 2 });
    expect(e.postAuthor).toBeUndefined();
  });
});

describe("options", () => {
  it("fsync: false archives the same files and lines", async () => {
    const posts = [post(1, { media: { kind: "photo", size: 2 } }), post(2, { text: "t" })];
    const bytes = new Map([[1, Buffer.from("ab")]]);
    const a = archiveSink(`dir:${tmp()}`);
    const b = archiveSink(`dir:${tmp()}`, { fsync: false });
    for (const s of [a, b]) {
      await deliver(s, [posts[0]!], bytes);
      await deliver(s, [posts[1]!], bytes, 1);
      await s.close();
    }
    expect(await readManifest(b.folderOf("-1001"))).toEqual(await readManifest(a.folderOf("-1001")));
    expect((await fs.readFile(path.join(b.folderOf("-1001"), "1.jpg"))).toString()).toBe("ab");
  });
});

describe("one writer per folder", () => {
  it("refuses a folder another live process writes, takes over the lock of a dead one, and releases it on close", async () => {
    const { LOCK } = await import("../../src/archive/index.js");
    const { spawnSync } = await import("node:child_process");
    const root = tmp();
    const sink = archiveSink(`dir:${root}`);
    const folder = sink.folderOf("-1001");
    await fs.mkdir(folder, { recursive: true });
    await fs.writeFile(path.join(folder, LOCK), `${process.ppid}\n`); // the test runner's parent: alive
    await expect(deliver(sink, [post(1, { text: "a" })], new Map())).rejects.toThrow(/is in use by process \d+/);

    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    await fs.writeFile(path.join(folder, LOCK), `${gone}\n`);
    const again = archiveSink(`dir:${root}`);
    await deliver(again, [post(1, { text: "a" })], new Map());
    expect((await fs.readFile(path.join(folder, LOCK), "utf8")).trim()).toBe(String(process.pid));
    await again.close();
    await expect(fs.stat(path.join(folder, LOCK))).rejects.toThrow();
  });
});
