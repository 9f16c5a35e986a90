// Telegram Desktop exports as a source: the real tg2md export, and synthetic exports for each rule.
import { promises as fs } from "node:fs";
import path from "node:path";
import { lastValueFrom, range, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { openDesktopExport, type DesktopExportOptions } from "../../src/imports/index.js";
import { UsageError, type Post } from "../../src/model/index.js";
import { TG2MD, tmp } from "../archive/helpers.js";
import { makeExport, msg } from "./make-export.js";

const all = (s: { read: (r: object, d: ReturnType<typeof range>) => import("rxjs").Observable<Post> }) =>
  lastValueFrom(s.read({}, range(0, 1000)).pipe(toArray()));
const open = async (dir: string, o?: DesktopExportOptions) => openDesktopExport(`export:${dir}`, o);
async function usageError(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(UsageError);
  const m = (e as Error).message;
  expect(m).not.toContain("\n");
  return m;
}

describe("the real tg2md export", () => {
  it("gives each post its kind, text and entities, leaves the service message out, and finds the album", async () => {
    const s = await open(TG2MD);
    expect(s.chatId).toBe("-1001292077344");
    const posts = await all(s);
    expect(posts.map((p) => p.id)).toEqual([2, 3, 4, 5, 7, 8, 9, 10, 11, 13, 14, 15, 21, 22, 23, 24, 25, 26]);
    const kind = (id: number) => posts.find((p) => p.id === id)!.media?.kind;
    expect([3, 4, 7, 8, 22, 26, 23].map(kind)).toEqual(["photo", "photo", "voice", "audio", "document", "document", "photo"]);
    expect(kind(2)).toBeUndefined();
    const p5 = posts.find((p) => p.id === 5)!;
    expect(p5.text).toBe("italic\n\nbold\n\nunderline\n\nstrikethrough\n\nmonospace");
    expect(p5.entities.map((e) => [e.type, e.offset, e.length])).toEqual([
      ["italic", 0, 8], ["bold", 8, 6], ["underline", 14, 11], ["strike", 25, 15], ["pre", 40, 9],
    ]);
    expect(posts.find((p) => p.id === 21)!.text).toBe("тестирование utf-8.");
    const p22 = posts.find((p) => p.id === 22)!;
    expect(p22.media).toMatchObject({ fileName: "dice.svg", mimeType: "image/svg+xml", size: 44722, thumbnail: { width: 320, height: 209, size: 8124 } });
    expect(posts.filter((p) => p.groupedId).map((p) => p.id)).toEqual([23, 24, 25]);
    expect(posts.find((p) => p.id === 23)!.text).toBe("multiple photos");
    expect(s.report).toMatchObject({ service: 1, posts: 18, albums: [[23, 24, 25]], missing: [] });
    // Dates: no date_unixtime in this export, so `date` is read as UTC.
    expect(posts.find((p) => p.id === 23)!.date).toBe(Date.UTC(2021, 6, 14, 18, 52, 46) / 1000);
  });

  it("recognises no album when album inference is switched off", async () => {
    const posts = await all(await open(TG2MD, { albums: false }));
    expect(posts.some((p) => p.groupedId !== undefined)).toBe(false);
  });

  it("serves the exported files in place, with their thumbnail", async () => {
    const s = await open(TG2MD);
    const posts = await all(s);
    const p22 = posts.find((p) => p.id === 22)!;
    const loaded = await lastValueFrom(s.download({ posts: [p22], seq: 0 }));
    expect(loaded.files).toHaveLength(1);
    const f = loaded.files[0]!;
    expect(f.data).toEqual({ kind: "file", path: path.join(TG2MD, "files/dice.svg") });
    expect(f.thumb?.equals(await fs.readFile(path.join(TG2MD, "files/dice.svg_thumb.jpg")))).toBe(true);
    const text = await lastValueFrom(s.download({ posts: [posts[0]!], seq: 1 }));
    expect(text.files).toEqual([]);
  });

  it("reads a range, page by page", async () => {
    const s = await open(TG2MD);
    const some = await lastValueFrom(s.read({ fromId: 10, toId: 22 }, range(0, 5)).pipe(toArray()));
    expect(some.map((p) => p.id)).toEqual([10, 11, 13, 14, 15, 21, 22]);
  });
});

describe("text and entities", () => {
  it("counts offsets in UTF-16 code units (an emoji before a bold part)", async () => {
    const dir = await makeExport([
      msg(1, { text: ["👍🏽 ", { type: "bold", text: "bold" }, " é"], text_entities: undefined }),
    ]);
    const [p] = await all(await open(dir));
    expect(p!.text).toBe("👍🏽 bold é");
    expect(p!.entities).toEqual([{ type: "bold", offset: 5, length: 4 }]);
    expect(p!.text.slice(5, 9)).toBe("bold");
  });

  it("prefers text_entities, maps every kind, and reports custom emoji it cannot keep", async () => {
    const parts = [
      { type: "plain", text: "a " },
      { type: "text_link", text: "link", href: "https://x.org/" },
      { type: "plain", text: " " },
      { type: "pre", text: "code", language: "ts" },
      { type: "mention_name", text: "Ann", user_id: 123 },
      { type: "custom_emoji", text: "😀", document_id: "stickers/sticker.webp" },
      { type: "spoiler", text: "s" },
      { type: "blockquote", text: "q", collapsed: true },
      { type: "strikethrough", text: "x" },
      { type: "hashtag", text: "#t" },
    ];
    const dir = await makeExport([msg(1, { text: "ignored when text_entities is there", text_entities: parts })]);
    const s = await open(dir);
    const [p] = await all(s);
    expect(p!.text).toBe("a link codeAnn😀sqx#t");
    expect(p!.entities).toEqual([
      { type: "textUrl", offset: 2, length: 4, url: "https://x.org/" },
      { type: "pre", offset: 7, length: 4, language: "ts" },
      { type: "mentionName", offset: 11, length: 3, userId: "123" },
      { type: "spoiler", offset: 16, length: 1 },
      { type: "blockquote", offset: 17, length: 1, collapsed: true },
      { type: "strike", offset: 18, length: 1 },
      { type: "hashtag", offset: 19, length: 2 },
    ]);
    expect(s.report.droppedEntities).toEqual([{ postId: 1, types: ["custom_emoji"] }]);
  });

  it("repairs \\xNN control characters before parsing", async () => {
    const raw = JSON.stringify({ name: "c", type: "public_channel", id: 5, messages: [msg(1, { text: "a_b", text_entities: undefined })] })
      .replace("a_b", "a\\x0Bb\\\\x41");
    const [p] = await all(await open(await makeExport([], { raw })));
    expect(p!.text).toBe("a\u000bb\\x41");
  });
});

describe("formats", () => {
  it("reads dates from date_unixtime when present", async () => {
    const dir = await makeExport([msg(1, { text: "x", date: "2024-05-01T12:00:00", date_unixtime: "1714557600" })]);
    expect((await all(await open(dir)))[0]!.date).toBe(1714557600);
  });

  it("unshifts the numeric ids of exports before 2.7.2 and reads dates at a given UTC offset", async () => {
    const dir = await makeExport([], {
      root: {
        name: "old", type: "private_channel", id: 9882011936,
        messages: [{ id: 2, type: "message", date: "2020-11-12T12:54:07", from: "old", from_id: 9882011936, text: "t" }],
      },
    });
    const s = await open(dir, { utcOffsetMinutes: 180 });
    expect(s.chatId).toBe("-1001292077344");
    expect(s.report.ids).toBe("shifted");
    expect((await all(s))[0]!.date).toBe(Date.UTC(2020, 10, 12, 9, 54, 7) / 1000);
  });

  it("chooses a chat of a whole-account export by name or id, and names the unknown one", async () => {
    const chat = (name: string, id: number, text: string) => ({ name, type: "private_supergroup", id, messages: [msg(1, { text })] });
    const root = {
      about: "export", personal_information: {},
      chats: { about: "", list: [chat("Alpha", 11, "from alpha"), chat("Beta", 22, "from beta")] },
      left_chats: { about: "", list: [chat("Gone", 33, "from gone")] },
    };
    const dir = await makeExport([], { root });
    expect((await all(await open(dir, { chat: "Beta" })))[0]!.text).toBe("from beta");
    expect((await all(await open(dir, { chat: "alpha" })))[0]!.text).toBe("from alpha");
    expect((await all(await open(dir, { chat: "33" })))[0]!.text).toBe("from gone");
    const marked = await open(dir, { chat: "-10022" });
    expect(marked.chatId).toBe("-10022");
    expect(await usageError(open(dir, { chat: "Gamma" }))).toMatch(/no chat "Gamma".*Alpha \(11\)/);
    expect(await usageError(open(dir))).toMatch(/whole-account export of 3 chats/);
  });
});

describe("albums", () => {
  const photo = (id: number, f: Record<string, unknown> = {}) => msg(id, { photo: `photos/p${id}.jpg`, width: 1, height: 1, ...f });
  const files = (ids: number[]) => ids.map((i) => `photos/p${i}.jpg`);
  const groups = async (dir: string) => (await open(dir)).report.albums;

  it("groups at most 10, mixes photos with videos, and never across kinds, authors, gaps or seconds", async () => {
    const ids = Array.from({ length: 12 }, (_, i) => i + 1);
    const video = msg(13, { file: "video_files/v.mp4", media_type: "video_file", mime_type: "video/mp4" });
    const doc = msg(14, { file: "files/a.pdf", mime_type: "application/pdf" });
    const other = photo(15, { from_id: "user5", from: "Someone" });
    const msgs = [
      ...ids.map((i) => photo(i)), video, doc, other,
      photo(17), // gap: 16 missing
      photo(18, { date_unixtime: "1714557601" }), // another second
      msg(19, { file: "files/b.pdf", mime_type: "application/pdf" }), msg(20, { file: "files/c.zip", mime_type: "application/zip" }),
      msg(21, { file: "files/m1.mp3", media_type: "audio_file" }), msg(22, { file: "files/m2.mp3", media_type: "audio_file" }),
      msg(23, { file: "video_files/g.mp4", media_type: "animation" }), msg(24, { file: "video_files/g2.mp4", media_type: "animation" }),
    ];
    const dir = await makeExport(msgs, {
      files: [...files([...ids, 15, 17, 18]), "video_files/v.mp4", "files/a.pdf", "files/b.pdf", "files/c.zip", "files/m1.mp3", "files/m2.mp3", "video_files/g.mp4", "video_files/g2.mp4"],
    });
    expect(await groups(dir)).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [11, 12, 13], [19, 20], [21, 22]]);
  });

  it("keeps an album whole when a member without its file is skipped, and splits it when that member becomes text", async () => {
    const placeholder = "(File exceeds maximum size. Change data exporting settings to download.)";
    const msgs = [photo(1, { text: "cap", text_entities: [{ type: "plain", text: "cap" }] }), photo(2, { photo: placeholder, text: "own caption", text_entities: [{ type: "plain", text: "own caption" }] }), photo(3), photo(4)];
    const dir = await makeExport(msgs, { files: files([1, 3, 4]) });
    const skip = await open(dir, { missing: "skip" });
    expect((await all(skip)).map((p) => [p.id, p.groupedId])).toEqual([[1, "1"], [3, "1"], [4, "1"]]);
    expect(skip.report.missing).toEqual([{ postId: 2, file: placeholder, reason: placeholder.slice(1, -1), action: "skipped" }]);
    const text = await open(dir, { missing: "text" });
    const posts = await all(text);
    expect(posts.map((p) => [p.id, p.groupedId, p.media?.kind])).toEqual([[1, undefined, "photo"], [2, undefined, undefined], [3, "3", "photo"], [4, "3", "photo"]]);
    expect(posts[1]!.text).toBe("own caption");
    expect(text.report.missing[0]!.action).toBe("text");
  });
});

describe("what cannot be sent again is reported per post", () => {
  it("reports unsupported media, keeping its text when it has some", async () => {
    const dir = await makeExport([
      msg(1, { contact_information: { first_name: "A", phone_number: "1" } }),
      msg(2, { location_information: { latitude: 1, longitude: 2 }, text: "here", text_entities: [{ type: "plain", text: "here" }] }),
      { id: 3, type: "unsupported" },
    ]);
    const s = await open(dir);
    expect((await all(s)).map((p) => [p.id, p.text, p.media])).toEqual([[2, "here", undefined]]);
    expect(s.report.unsupported).toEqual([
      { postId: 3, what: "message type unsupported", action: "skipped" },
      { postId: 1, what: "contact", action: "skipped" },
      { postId: 2, what: "location", action: "text" },
    ]);
  });
});

describe("clear errors", () => {
  it("a missing folder", async () => {
    expect(await usageError(open("/nonexistent/tgrelay-export"))).toMatch(/export: no such folder: \/nonexistent\/tgrelay-export/);
  });

  it("a folder without result.json", async () => {
    const dir = await makeExport([]);
    await fs.rm(path.join(dir, "result.json"));
    expect(await usageError(open(dir))).toMatch(/has no result\.json/);
  });

  it("malformed JSON, with its line", async () => {
    const raw = '{\n "name": "c",\n "messages": [\n  {"id": 1, "type": "message" "text": ""}\n ]\n}';
    expect(await usageError(open(await makeExport([], { raw })))).toMatch(/result\.json:4:31: malformed JSON \(expected ',' or '}'\)/);
  });

  it("a file the JSON names that is not there, unless told to treat it as not exported", async () => {
    const dir = await makeExport([msg(3, { photo: "photos/x.jpg", text: "t", text_entities: [{ type: "plain", text: "t" }] })]);
    expect(await usageError(open(dir))).toMatch(/message 3 names photos\/x\.jpg, which is not there/);
    const s = await open(dir, { absent: "missing" });
    expect(s.report.missing).toEqual([{ postId: 3, file: "photos/x.jpg", reason: "not in the export folder", action: "text" }]);
  });

  it("a file named outside the export folder (../, an absolute path, a symlink) is refused, never read", async () => {
    const outside = tmp();
    await fs.writeFile(path.join(outside, "secret.txt"), "secret");
    const rel = path.relative(tmp(), path.join(outside, "secret.txt")); // "../<outside>/secret.txt"
    const text = { text: "t", text_entities: [{ type: "plain", text: "t" }] };
    for (const file of [rel, path.join(outside, "secret.txt")]) {
      const dir = await makeExport([msg(3, { file, mime_type: "text/plain", ...text })]);
      expect(await usageError(open(dir))).toMatch(/message 3 names .*secret\.txt, which is outside the export folder/);
      expect(await usageError(open(dir, { absent: "missing" }))).toMatch(/outside the export folder/);
    }
    const linked = await makeExport([msg(4, { file: "files/link.txt", mime_type: "text/plain", ...text })]);
    await fs.mkdir(path.join(linked, "files"));
    await fs.symlink(path.join(outside, "secret.txt"), path.join(linked, "files/link.txt"));
    expect(await usageError(open(linked))).toMatch(/message 4 names files\/link\.txt, which is outside the export folder/);
    const thumb = await makeExport([msg(5, { file: "files/a.txt", thumbnail: "../../etc/hostname", mime_type: "text/plain", ...text })], { files: ["files/a.txt"] });
    expect(await usageError(open(thumb))).toMatch(/message 5 names \.\.\/\.\.\/etc\/hostname, which is outside the export folder/);
    // A file inside, even through "sub/../", is still served.
    const fine = await makeExport([msg(6, { file: "files/../files/a.txt", mime_type: "text/plain", ...text })], { files: ["files/a.txt"] });
    expect((await all(await open(fine))).map((p) => p.media?.size)).toEqual([11]);
  });

  it("a tdl export given as a Telegram Desktop export", async () => {
    const raw = JSON.stringify({ id: 5, messages: [{ id: 2, type: "message", file: "a.jpg", date: 1700000000 }] });
    expect(await usageError(open(await makeExport([], { raw })))).toMatch(/tdl chat export/);
  });
});
