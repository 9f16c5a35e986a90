// The innerdvations JSON exports (2020-21 format, no media on disk): polls, replies, missing files reported.
import path from "node:path";
import { lastValueFrom, range, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { openDesktopExport } from "../../src/imports/index.js";
import { UsageError } from "../../src/model/index.js";
import { INNERDVATIONS } from "../archive/helpers.js";

const file = (name: string) => path.join(INNERDVATIONS, name);
const read = async (name: string, missing: "text" | "skip" = "text") => {
  const s = await openDesktopExport(`export:${file(name)}`, { absent: "missing", missing });
  return { s, posts: await lastValueFrom(s.read({}, range(0, 100)).pipe(toArray())) };
};

describe("innerdvations exports", () => {
  for (const name of ["private_channel.json", "public_channel.json"]) {
    it(`${name}: polls with their answers, replies, service messages left out`, async () => {
      const { s, posts } = await read(name);
      expect(s.report.ids).toBe("shifted");
      expect(s.report.service).toBe(2);
      expect(posts.map((p) => p.id)).toEqual([2, 3, 5, 6, 7]);
      expect(posts.find((p) => p.id === 3)).toMatchObject({ text: "reply in test channel", replyTo: 2 });
      expect(posts.find((p) => p.id === 7)).toMatchObject({ text: "reply to quiz", replyTo: 6 });
      const poll = posts.find((p) => p.id === 5)!.media!;
      expect(poll.kind).toBe("poll");
      expect(poll.poll!.question).toBe("Poll question");
      expect(poll.poll!.answers.map((a) => a.text)).toEqual(["option 1", "option 2"]);
      expect(new Set(poll.poll!.answers.map((a) => a.option)).size).toBe(2);
      expect(posts.find((p) => p.id === 6)!.media!.poll!.answers).toHaveLength(3);
      expect(s.report.missing).toEqual([]);
    });
  }

  it("private_channel.json: the channel's id unshifted into a marked chat id", async () => {
    const { s } = await read("private_channel.json");
    expect(s.chatId).toBe(`-100${10036995664 - 2 ** 33}`);
  });

  it("saved.json: every file it names is reported missing, per post, with what was done", async () => {
    const { s, posts } = await read("saved.json");
    const placeholder = "(File exceeds maximum size. Change data exporting settings to download.)";
    expect(s.report.missing).toEqual([
      { postId: 173429, file: "photos/photo_1@01-08-2020_22-01-49.jpg", reason: "not in the export folder", action: "text" },
      { postId: 207958, file: "video_files/video_1@21-09-2020_01-02-38.mp4", reason: "not in the export folder", action: "skipped" },
      { postId: 217584, file: "voice_messages/audio_1@06-10-2020_00-33-06.ogg", reason: "not in the export folder", action: "skipped" },
      { postId: 226106, file: "video_files/mp4.mp4", reason: "not in the export folder", action: "skipped" },
      { postId: 278329, file: "stickers/sticker.webp", reason: "not in the export folder", action: "text" },
      { postId: 318170, file: placeholder, reason: placeholder.slice(1, -1), action: "skipped" },
    ]);
    // Sent as text: the photo's caption, without the photo.
    const p = posts.find((x) => x.id === 173429)!;
    expect(p.text).toBe("I'm a photo message sent straight to saved.");
    expect(p.media).toBeUndefined();
    // Formatting of the 2020 format (text as an array of parts).
    const f = posts.find((x) => x.id === 173430)!;
    expect(f.entities.map((e) => e.type)).toEqual(["bold", "italic", "strike", "underline", "mention", "textUrl", "code", "url"]);
    for (const e of f.entities) expect(f.text.slice(e.offset, e.offset + e.length)).not.toMatch(/^\s|\s$/);
    // Poll and reply of the pasted-in channel messages.
    expect(posts.find((x) => x.id === 7)!.replyTo).toBe(6);
    expect(posts.find((x) => x.id === 5)!.media!.kind).toBe("poll");
    // Ascending ids although the file is not in order.
    expect(posts.map((x) => x.id)).toEqual([...posts.map((x) => x.id)].sort((a, b) => a - b));
  });

  it("saved.json with missing files skipped: none of those posts is read", async () => {
    const { s, posts } = await read("saved.json", "skip");
    expect(s.report.missing.every((m) => m.action === "skipped")).toBe(true);
    const ids = new Set(posts.map((p) => p.id));
    for (const m of s.report.missing) expect(ids.has(m.postId)).toBe(false);
  });

  it("saved.json without absent: 'missing': an error naming the first absent file", async () => {
    const e = await openDesktopExport(`export:${file("saved.json")}`).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(/saved\.json: message 173429 names photos\/photo_1@01-08-2020_22-01-49\.jpg, which is not there/);
  });
});
