// Temp files of large downloads live in a per-process folder; folders of killed processes are swept.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { scratchDir, sweepScratch } from "../../src/cli/scratch.js";
import { tempDir } from "./helpers.js";

describe("scratch folders", () => {
  it("removes the folders of dead processes only, with what they hold", () => {
    const root = tempDir();
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!; // exited: its pid is free
    const names = [`tgrelay-run-${dead}-abc`, `tgrelay-run-${process.ppid}-def`, `tgrelay-run-${process.pid}-ghi`, "tgrelay-other-1-x", `tgrelay-run-x-1`];
    for (const n of names) {
      mkdirSync(join(root, n));
      writeFileSync(join(root, n, "video.part"), "x".repeat(100));
    }
    expect(sweepScratch(root)).toEqual([`tgrelay-run-${dead}-abc`]);
    expect(names.map((n) => existsSync(join(root, n)))).toEqual([false, true, true, true, true]);
  });

  it("this process's folder is made once in the temp folder, named with its pid", () => {
    const d = scratchDir();
    expect(dirname(d)).toBe(tmpdir());
    expect(basename(d)).toMatch(new RegExp(`^tgrelay-run-${process.pid}-`));
    expect(existsSync(d)).toBe(true);
    expect(scratchDir()).toBe(d);
  });
});
