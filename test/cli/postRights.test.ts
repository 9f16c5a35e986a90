// An account that may not post in a target chat is refused before anything is read or sent.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { mergeSources } from "../../src/cli/config.js";
import { runJob } from "../../src/cli/job.js";
import { emulatorHandles } from "../../src/cli/providers.js";
import { resolveJob } from "../../src/cli/resolve.js";
import { SqliteJournal, listJobs } from "../../src/journal/index.js";
import { makeIo, run } from "./helpers.js";
import { makeWorld, openWorld } from "./world.js";

const TG2MD = join(import.meta.dirname, "..", "fixtures", "desktop-export", "tg2md-private-channel");

describe("the right to post, checked first", () => {
  it("a member that is not an admin of the target channel: exit 2, one line naming the chat and the account, nothing made or sent", async () => {
    const w = makeWorld(4);
    const before = (() => { const e = openWorld(w); try { return e.inspect("@cli_source").length; } finally { e.close(); } })();
    for (const command of ["copy", "plan"]) {
      const r = await run([command, "--emulator", w.path, "--accounts", "bob", "--from", `export:${TG2MD}`, "--to", `dir:${join(w.dir, "arch")}`, "--to", "@cli_source"], { cwd: w.dir });
      expect(r.code, command).toBe(2);
      expect(r.stderr).toMatch(/^tgrelay: account bob cannot post in @cli_source \(-100\d+\): it is not an admin of the channel \(CHAT_ADMIN_REQUIRED\)\n$/u);
    }
    expect(existsSync(join(w.dir, "arch"))).toBe(false);
    expect(readdirSync(w.dir).filter((f) => f.startsWith("tgrelay"))).toEqual([]);
    const e = openWorld(w);
    expect(e.inspect("@cli_source").length).toBe(before);
    e.close();
  });

  it("an admin (bob in @cli_target) may post", async () => {
    const w = makeWorld(4);
    const r = await run(["copy", "--emulator", w.path, "--accounts", "bob", "--from", `export:${TG2MD}`, "--to", "@cli_target", "--progress", "none"], { cwd: w.dir });
    expect(r.stderr).not.toMatch(/cannot post/u);
    expect(r.code).toBe(0);
  });

  it("a Fatal error mid-run (the account lost the chat): the run's sends in flight become failures, not stale rows", async () => {
    const w = makeWorld(16, { protectedShare: 0 });
    const flags = { from: "@cli_source", to: ["@cli_target"], accounts: ["bob"], emulator: w.path, chunk: "4", concurrency: "2" };
    const settings = resolveJob(mergeSources("copy", flags, {}, undefined), {}, "copy", undefined, w.dir);
    const emu = openWorld(w);
    const handles = await emulatorHandles(emu, ["bob"], pino({ level: "silent" }));
    let sent = 0;
    const display = {
      event: (e: { type: string }) => { if (e.type === "sent" && ++sent === 2) emu.leave("bob", "@cli_target"); },
      note: () => {}, finish: () => {},
    };
    await expect(runJob(settings, handles, { io: makeIo({ cwd: w.dir }), logger: pino({ level: "silent" }), display: display as never })).rejects.toThrow();
    for (const h of handles) await h.close();
    emu.close();
    const [status] = listJobs(settings.journal);
    const t = status!.targets[0]!;
    expect(t.inFlight).toBe(0);
    expect(t.failed).toBeGreaterThan(0);
    const j = SqliteJournal.openById(settings.journal, status!.jobId)!;
    expect(j.inFlight()).toEqual([]);
    j.close();
  });
});
