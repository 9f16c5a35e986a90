import { describe, expect, it } from "vitest";
import { Emulator, compareChats, formatDifferences } from "../../src/emulator/index.js";
import { openAccount } from "../../src/telegram/account.js";
import { readAll, relayAll } from "./drive.js";

async function world(opts: { noforwards?: boolean } = {}) {
  const emu = Emulator.open({ seed: 7 });
  emu.addAccount({ name: "a" });
  const src = emu.createChat({ title: "src", username: "srcchan", owner: "a", noforwards: opts.noforwards });
  const dst = emu.createChat({ title: "dst", username: "dstchan", owner: "a" });
  const acct = await openAccount(emu.client("a"), { name: "a", historyPace: { intervalMs: 0 } });
  return { emu, src, dst, acct };
}

describe("through the emulator", () => {
  it("smoke: copies a small generated channel", async () => {
    const { emu, acct } = await world();
    emu.generate("@srcchan", { posts: 40, seed: 3 });
    const s = await acct.resolveChat("@srcchan");
    const t = await acct.resolveChat("https://t.me/dstchan");
    const source = acct.source(s);
    const posts = await readAll(source);
    expect(posts.map((p) => p.id)).toEqual(emu.inspect("@srcchan").map((p) => p.id));
    expect(source.stats.service).toBe(1);
    await relayAll(source, [acct.sink(t, { mode: "reupload" })], posts);
    const diffs = compareChats(emu.inspect("@srcchan"), emu.inspect("@dstchan"), { ignore: ["noforwards"] });
    expect(formatDifferences(diffs), formatDifferences(diffs)).toBe("");
    emu.close();
  });
});
