// Done-when of issue 4: through the emulator, the pipeline's relay() copies a generated channel of >= 300
// posts of every kind (albums of each allowed mix, replies, polls, link previews, protected and unprotected
// mixed) and compareChats finds zero differences — once per strategy.
import { describe, expect, it } from "vitest";
import { lastValueFrom, toArray } from "rxjs";
import { Emulator, compareChats, formatDifferences } from "../../src/emulator/index.js";
import { relay } from "../../src/pipeline/index.js";
import { MemoryJournal } from "../../src/journal/index.js";
import { openAccount } from "../../src/telegram/account.js";
import type { Mode } from "../../src/telegram/strategy.js";

async function copyChannel(mode: Mode, protectedShare: number, prefer?: "copy" | "forward") {
  const emu = Emulator.open({ seed: 42 });
  // Premium: custom emoji entities survive (Telegram drops them for other senders).
  emu.addAccount({ name: "a", premium: true });
  emu.createChat({ title: "src", username: "srcchan", owner: "a" });
  emu.createChat({ title: "dst", username: "dstchan", owner: "a" });
  emu.generate("@srcchan", { posts: 320, seed: 9, protectedShare, albumShare: 0.35, replyShare: 0.1 });
  const acct = await openAccount(emu.client("a"), { name: "a", historyPace: { intervalMs: 0 } });
  const source = acct.source(await acct.resolveChat("@srcchan"));
  const sink = acct.sink(await acct.resolveChat("@dstchan"), { mode, prefer });
  const journal = new MemoryJournal({ source: source.chatId, targets: [sink.target], options: { mode } });
  const events = await lastValueFrom(relay({ source, sinks: [sink], journal, range: {} }).pipe(toArray()));
  const expected = emu.inspect("@srcchan");
  const actual = emu.inspect("@dstchan");
  // The protection flag is the target's own setting; a forward cannot be a reply (Telegram's rule, warned per post).
  const diffs = compareChats(expected, actual, { ignore: mode === "forward" ? ["noforwards", "reply"] : ["noforwards"] });
  emu.close();
  return { events, expected, diffs, stats: source.stats };
}

describe("relay() copies a generated channel with zero differences", () => {
  const cases = [["auto", 0.25, undefined], ["auto", 0.25, "forward"], ["reupload", 0.25, undefined], ["copy", 0, undefined], ["forward", 0, undefined]] as const;
  for (const [mode, protectedShare, prefer] of cases) {
    it(`mode ${mode}${prefer ? ` preferring ${prefer}` : ""}${protectedShare ? " (protected posts mixed in)" : ""}`, async () => {
      const { events, expected, diffs, stats } = await copyChannel(mode, protectedShare, prefer);
      if (prefer === "forward") {
        const used = new Set(events.flatMap((e) => (e.type === "sent" ? [e.strategy] : [])));
        expect([...used].sort()).toEqual(["copy", "forward", "reupload"]);
      }
      expect(expected.length).toBeGreaterThanOrEqual(300);
      const kinds = new Set(expected.map((p) => p.media?.kind ?? (p.linkPreview ? "linkPreview" : "text")));
      for (const k of ["text", "linkPreview", "photo", "video", "document", "audio", "voice", "videoNote", "animation", "sticker", "poll"]) expect(kinds).toContain(k);
      expect(expected.some((p) => p.groupedId)).toBe(true);
      expect(expected.some((p) => p.replyTo)).toBe(true);
      if (protectedShare) expect(expected.some((p) => p.noforwards)).toBe(true);
      expect(events.filter((e) => e.type === "failed" || (e.type === "skipped" && e.reason !== "already delivered"))).toEqual([]);
      expect(stats.read).toBe(expected.length);
      expect(diffs, formatDifferences(diffs)).toEqual([]);
    });
  }
});
