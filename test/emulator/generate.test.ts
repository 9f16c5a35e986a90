import { Api } from "telegram";
import { afterEach, describe, expect, it } from "vitest";
import { ENTITY_TYPES, type MediaKind } from "../../src/model/index.js";
import { compareChats, Emulator } from "../../src/emulator/index.js";

let emus: Emulator[] = [];
afterEach(() => {
  for (const e of emus) e.close();
  emus = [];
});

function world(seed = 1) {
  const emu = Emulator.open({ seed });
  emus.push(emu);
  emu.addAccount({ name: "alice" });
  const chat = emu.createChat({ title: "Gen", username: "gen_chan", owner: "alice" });
  return { emu, chat };
}

describe("generate", () => {
  it("makes every kind, every entity type, albums of allowed mixes, replies, protected posts", () => {
    const { emu, chat } = world();
    const ids = emu.generate(chat.id, { posts: 400, seed: 5, protectedShare: 0.2 });
    expect(ids.length).toBe(400);
    const posts = emu.inspect(chat.id);
    expect(posts.map((p) => p.id)).toEqual(ids);
    const kinds = new Set(posts.map((p) => p.media?.kind ?? (p.linkPreview ? "linkPreview" : "text")));
    for (const k of ["text", "linkPreview", "photo", "video", "document", "audio", "voice", "videoNote", "animation", "sticker", "poll"]) expect(kinds, k).toContain(k);
    const types = new Set(posts.flatMap((p) => p.entities.map((e) => e.type)));
    for (const t of ENTITY_TYPES.filter((t) => t !== "unknown")) expect(types, t).toContain(t);
    // Entities count UTF-16 units after non-BMP characters.
    const astral = posts.find((p) => /[\u{10000}-\u{10FFFF}]/u.test(p.text.slice(0, 5)) && p.entities.length > 0)!;
    expect(astral).toBeDefined();
    for (const p of posts) for (const e of p.entities) expect(e.offset + e.length).toBeLessThanOrEqual(p.text.length);
    const albums = new Map<string, MediaKind[]>();
    for (const p of posts) if (p.groupedId) albums.set(p.groupedId, [...(albums.get(p.groupedId) ?? []), p.media!.kind]);
    expect(albums.size).toBeGreaterThan(5);
    const classes = new Set<string>();
    for (const members of albums.values()) {
      expect(members.length).toBeGreaterThanOrEqual(2);
      expect(members.length).toBeLessThanOrEqual(10);
      const cls = new Set(members.map((k) => (k === "photo" || k === "video" ? "visual" : k)));
      expect(cls.size).toBe(1);
      expect(["visual", "document", "audio"]).toContain([...cls][0]);
      classes.add([...cls][0]!);
    }
    expect(classes.size).toBe(3);
    expect(posts.some((p) => p.replyTo !== undefined)).toBe(true);
    expect(posts.some((p) => p.noforwards) && posts.some((p) => !p.noforwards)).toBe(true);
    const video = posts.find((p) => p.media?.kind === "video")!.media!;
    expect(video.duration).toBeGreaterThan(0);
    expect(video.thumbnail).toBeDefined();
    expect(posts.some((p) => p.media?.kind === "document" && p.media.mimeType === "image/jpeg")).toBe(true);
    expect(posts.find((p) => p.media?.kind === "voice")!.media!.waveform).toBeDefined();
    expect(posts.find((p) => p.media?.kind === "audio")!.media!.performer).toBeDefined();
    // Nested styles (two entities over one range), and texts and captions near Telegram's limits.
    expect(posts.some((p) => p.entities.some((e, i) => p.entities.some((f, j) => i !== j && e.offset === f.offset && e.length === f.length)))).toBe(true);
    expect(posts.some((p) => p.media === undefined && p.text.length > 3500 && p.text.length <= 4096)).toBe(true);
    expect(posts.some((p) => p.media !== undefined && p.text.length > 900 && p.text.length <= 1024)).toBe(true);
  });

  it("puts service messages between posts when asked; readers see them, inspect() leaves them out", async () => {
    const { emu, chat } = world();
    const ids = emu.generate(chat.id, { posts: 50, seed: 3, serviceShare: 0.3 });
    const client = emu.client("alice");
    const all = Array.from(await client.getMessages("gen_chan", { limit: 200, reverse: true }));
    const services = all.filter((m) => m instanceof Api.MessageService);
    expect(services.length).toBeGreaterThan(5);
    expect(all.filter((m) => m instanceof Api.Message).map((m) => m.id)).toEqual(ids);
    expect(emu.inspect(chat.id).map((p) => p.id)).toEqual(ids);
    expect(ids[ids.length - 1]! - ids[0]! + 1).toBeGreaterThan(ids.length);
  });

  it("is reproducible from its seed, and another seed gives another chat", () => {
    const a = world(1);
    const b = world(1);
    a.emu.generate(a.chat.id, { posts: 60, seed: 9 });
    b.emu.generate(b.chat.id, { posts: 60, seed: 9 });
    expect(compareChats(a.emu.inspect(a.chat.id), b.emu.inspect(b.chat.id))).toEqual([]);
    const c = world(1);
    c.emu.generate(c.chat.id, { posts: 60, seed: 10 });
    expect(compareChats(a.emu.inspect(a.chat.id), c.emu.inspect(c.chat.id)).length).toBeGreaterThan(0);
  });

  it("honours the mix and large files without storing their bytes", async () => {
    const { emu, chat } = world();
    emu.generate(chat.id, { posts: 5, seed: 2, mix: { video: 1, text: 0, linkPreview: 0, photo: 0, document: 0, audio: 0, voice: 0, videoNote: 0, animation: 0, sticker: 0, poll: 0 }, albums: false, largeFileBytes: 200 * 1024 * 1024 });
    const posts = emu.inspect(chat.id);
    expect(posts.every((p) => p.media?.kind === "video" && p.groupedId === undefined)).toBe(true);
    expect(posts.some((p) => p.media!.size === 200 * 1024 * 1024)).toBe(true);
    const client = emu.client("alice");
    const msgs = await client.getMessages("gen_chan", { limit: 10 });
    expect(msgs.filter((m) => m instanceof Api.Message && m.video).length).toBe(5);
  });
});
