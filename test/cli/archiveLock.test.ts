// A dir: target another live process writes is refused before anything is read or sent.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "./helpers.js";
import { makeWorld, openWorld } from "./world.js";

const TG2MD = join(import.meta.dirname, "..", "fixtures", "desktop-export", "tg2md-private-channel");

describe("archive lock", () => {
  it("a locked dir: target: exit 2 naming the process, and the chat target got nothing", async () => {
    const w = makeWorld(4);
    const arch = join(w.dir, "arch");
    const copy = (...extra: string[]) => run(["copy", "--emulator", w.path, "--accounts", "alice", "--from", `export:${TG2MD}`,
      "--to", "@cli_target", "--to", `dir:${arch}`, "--progress", "none", ...extra], { cwd: w.dir });
    const first = await copy("--kind", "text");
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const [chat] = readdirSync(arch);
    const manifest = readFileSync(join(arch, chat!, "manifest.jsonl"), "utf8");
    const count = () => {
      const emu = openWorld(w);
      try { return emu.inspect("@cli_target").length; } finally { emu.close(); }
    };
    const sentBefore = count();
    expect(sentBefore).toBeGreaterThan(0);
    // Another live process (our parent) writes the folder.
    writeFileSync(join(arch, chat!, ".tgrelay.lock"), `${process.ppid}\n`);
    const second = await copy(); // another job: every kind
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^tgrelay: archive folder .* is in use by process ${process.ppid}`, "u"));
    expect(second.stderr.trim().split("\n")).toHaveLength(1);
    expect(count()).toBe(sentBefore);
    expect(readFileSync(join(arch, chat!, "manifest.jsonl"), "utf8")).toBe(manifest);
  });
});
