// The real tg2md export copied to an archive with relay(), then the archive read back as a source.
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { lastValueFrom, range, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { openArchiveSource, readManifest } from "../../src/archive/index.js";
import { openDesktopExport } from "../../src/imports/index.js";
import type { Post } from "../../src/model/index.js";
import { archiveSink, runRelay, TG2MD, tmp } from "./helpers.js";

const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex");
const readAll = (s: { read: (r: object, d: ReturnType<typeof range>) => import("rxjs").Observable<Post> }) =>
  lastValueFrom(s.read({}, range(0, 1000)).pipe(toArray()));

describe("tg2md export -> dir: archive", () => {
  it("archives every post with its formatting, files byte for byte, and photos 23-25 as one album", async () => {
    const source = await openDesktopExport(`export:${TG2MD}`);
    const root = tmp();
    const sink = archiveSink(`dir:${root}`);
    const { events } = await runRelay(source, [sink]);
    expect(events.filter((e) => e.type === "failed")).toEqual([]);

    const exported = await readAll(source);
    const entries = await readManifest(sink.folderOf(source.chatId));
    // Every post, text-only ones too, in source order.
    expect(entries.map((e) => e.id)).toEqual(exported.map((p) => p.id));
    expect(entries.map((e) => e.id)).toEqual([...entries.map((e) => e.id)].sort((a, b) => a - b));
    for (const p of exported) {
      const e = entries.find((x) => x.id === p.id)!;
      expect(e.text).toBe(p.text);
      expect(e.entities).toEqual(p.entities);
      expect(e.date).toBe(p.date);
      expect(e.media?.kind).toBe(p.media?.kind);
    }
    // Formatting as the export has it: post 14 holds a text link, a url and an email.
    const e14 = entries.find((e) => e.id === 14)!;
    expect(e14.entities.map((x) => x.type)).toEqual(["textUrl", "url", "email"]);
    expect(e14.entities[0]!.url).toBe("http://example.com/");
    // Photos 23-25: one album, three distinct files although the export shares one photo file.
    const album = entries.filter((e) => e.groupedId !== undefined);
    expect(album.map((e) => e.id)).toEqual([23, 24, 25]);
    expect(new Set(album.map((e) => e.groupedId)).size).toBe(1);
    expect(new Set(album.map((e) => e.file)).size).toBe(3);
    // Each file is the exported file, byte for byte, hashed in the manifest, dated as the post.
    const folder = sink.folderOf(source.chatId);
    const original: Record<number, string> = {
      3: "photos/photo_1@12-11-2020_12-57-31.jpg",
      7: "voice_messages/audio_1@12-11-2020_13-01-05.ogg",
      8: "files/test-sound.ogg",
      22: "files/dice.svg",
      23: "photos/photo_3@14-07-2021_18-52-46.jpg",
      26: "files/LICENSE.md",
    };
    for (const [id, rel] of Object.entries(original)) {
      const e = entries.find((x) => x.id === Number(id))!;
      const archived = await fs.readFile(path.join(folder, e.file!));
      expect(archived.equals(await fs.readFile(path.join(TG2MD, rel)))).toBe(true);
      expect(e.sha256).toBe(sha(archived));
      const st = await fs.stat(path.join(folder, e.file!));
      expect(Math.floor(st.mtimeMs / 1000)).toBe(e.date);
    }
    // The svg's thumbnail is kept beside it; no .part file is left behind.
    expect(entries.find((e) => e.id === 22)!.thumb).toBeDefined();
    expect((await fs.readdir(folder)).filter((f) => f.endsWith(".part"))).toEqual([]);
  });

  it("reads the archive back as the posts it archived, and serves the same bytes", async () => {
    const source = await openDesktopExport(`export:${TG2MD}`);
    const root = tmp();
    await runRelay(source, [archiveSink(`dir:${root}`)]);
    const back = await openArchiveSource(`dir:${root}`);
    expect(back.chatId).toBe(source.chatId);
    const exported = await readAll(source);
    const restored = await readAll(back);
    const strip = (p: Post) => {
      const { media, ...rest } = p;
      if (!media) return rest;
      const { sha256: _s, size: _z, ...m } = media;
      return { ...rest, media: m };
    };
    expect(restored.map(strip)).toEqual(exported.map(strip));
    const albumPosts = restored.filter((p) => p.groupedId !== undefined);
    const loaded = await lastValueFrom(back.download({ posts: albumPosts, groupedId: albumPosts[0]!.groupedId!, seq: 0 }));
    expect(loaded.files.map((f) => f.postId)).toEqual([23, 24, 25]);
    const expected = await fs.readFile(path.join(TG2MD, "photos/photo_3@14-07-2021_18-52-46.jpg"));
    for (const f of loaded.files) {
      expect(f.data.kind).toBe("file");
      if (f.data.kind === "file") expect((await fs.readFile(f.data.path)).equals(expected)).toBe(true);
    }
  });

  it("restores an archive into another archive identically (the archive is a full source)", async () => {
    const source = await openDesktopExport(`export:${TG2MD}`);
    const a = tmp();
    const b = tmp();
    await runRelay(source, [archiveSink(`dir:${a}`)]);
    const fromA = await openArchiveSource(`dir:${a}`);
    const sinkB = archiveSink(`dir:${b}`);
    await runRelay(fromA, [sinkB]);
    const ea = await readManifest(path.join(a, (await fs.readdir(a))[0]!));
    const eb = await readManifest(sinkB.folderOf(source.chatId));
    expect(eb).toEqual(ea);
  });
});
