// Hybrid: an archive target next to a channel-like target. Each item is downloaded once and reaches both;
// the journal tracks each target on its own.
import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readManifest } from "../../src/archive/index.js";
import { openDesktopExport } from "../../src/imports/index.js";
import { MemoryJournal } from "../../src/journal/index.js";
import { archiveSink, counting, RecordingSink, runRelay, TG2MD, tmp } from "./helpers.js";

describe("hybrid: dir: target plus another target", () => {
  it("downloads each media item once and delivers it to both targets", async () => {
    const source = counting(await openDesktopExport(`export:${TG2MD}`));
    const archive = archiveSink(`dir:${tmp()}`);
    const channel = new RecordingSink();
    const { journal, events } = await runRelay(source, [archive, channel]);
    expect(events.filter((e) => e.type === "failed" || e.type === "skipped")).toEqual([]);

    const media = [3, 4, 7, 8, 22, 23, 24, 25, 26];
    expect([...source.downloads.keys()].sort((a, b) => a - b)).toEqual(media);
    expect([...source.downloads.values()].every((n) => n === 1)).toBe(true);

    const entries = await readManifest(archive.folderOf(source.chatId));
    expect(channel.got.size).toBe(entries.length);
    for (const e of entries) {
      expect(journal.isDelivered(archive.target, e.id)).toBe(true);
      expect(journal.isDelivered(channel.target, e.id)).toBe(true);
      expect(journal.targetIdOf(archive.target, e.id)).toBe(e.id); // the archive is keyed by source id
      expect(journal.targetIdOf(channel.target, e.id)).toBe(1000 + e.id);
      if (e.file) {
        const archived = await fs.readFile(path.join(archive.folderOf(source.chatId), e.file));
        expect(channel.got.get(e.id)!.bytes!.equals(archived)).toBe(true);
      }
    }
  });

  it("tracks targets separately: a later run with both targets only sends to the one that lacks the posts", async () => {
    const exp = await openDesktopExport(`export:${TG2MD}`);
    const archive = archiveSink(`dir:${tmp()}`);
    const channel = new RecordingSink();
    const journal = new MemoryJournal({ source: exp.chatId, targets: [archive.target, channel.target] });

    await runRelay(exp, [archive], journal);
    expect(journal.isDelivered(archive.target, 23)).toBe(true);
    expect(journal.isDelivered(channel.target, 23)).toBe(false);

    const source = counting(exp);
    const before = await fs.readFile(path.join(archive.folderOf(exp.chatId), "manifest.jsonl"), "utf8");
    await runRelay(source, [archive, channel], journal);
    expect(channel.got.size).toBe(18);
    expect(journal.isDelivered(channel.target, 23)).toBe(true);
    // The archive was not written again, and each item was still downloaded once.
    expect(await fs.readFile(path.join(archive.folderOf(exp.chatId), "manifest.jsonl"), "utf8")).toBe(before);
    expect([...source.downloads.values()].every((n) => n === 1)).toBe(true);
  });
});
