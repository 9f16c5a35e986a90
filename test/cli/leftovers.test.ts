// Runs that end early (a usage error found late, a retry of a job never run, a bad --emulator file) leave
// nothing behind: no journal, no archive folder, the file given as --emulator unchanged.
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run, tempDir } from "./helpers.js";
import { makeWorld } from "./world.js";

describe("nothing half-made is left behind", () => {
  it("--from-id past the newest post: exit 2, no journal, no archive folder", async () => {
    const w = makeWorld(8);
    const cwd = tempDir();
    const r = await run(["copy", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "dir:arch", "--from-id", "99999", "--progress", "none"], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tgrelay: --from-id 99999 is past the newest post \(\d+\)\n$/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("retry of a job never copied says so and creates no journal and no folder", async () => {
    const w = makeWorld(8);
    const cwd = tempDir();
    const r = await run(["retry", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "dir:arch", "--progress", "none"], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Nothing to retry: .*tgrelay\.db has no job with these options/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("a copy whose filters leave nothing to archive makes no archive folder", async () => {
    const w = makeWorld(8);
    const cwd = tempDir();
    const r = await run(["copy", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "dir:arch", "--text", "/no such text at all/", "--progress", "none"], { cwd });
    expect(r.code).toBe(0);
    expect(existsSync(join(cwd, "arch"))).toBe(false);
  });

  it("--emulator naming an empty file, a JSON file or the journal: exit 2, one line, the file unchanged", async () => {
    const w = makeWorld(8);
    const cwd = tempDir();
    // A real journal, from a copy.
    expect((await run(["copy", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "dir:arch", "--progress", "none"], { cwd })).code).toBe(0);
    writeFileSync(join(cwd, "empty"), "");
    writeFileSync(join(cwd, "x.json"), '{"messages": []}');
    for (const [file, why] of [["empty", "an empty database"], ["x.json", "not an SQLite database"], ["tgrelay.db", "other tables"]] as const) {
      const before = readFileSync(join(cwd, file));
      const r = await run(["copy", "--emulator", file, "--from", "@cli_source", "--to", "dir:other", "--journal", join(cwd, "j2.db")], { cwd });
      expect(r.code, file).toBe(2);
      expect(r.stderr, file).toBe(`tgrelay: --emulator "${file}": ${join(cwd, file)} is not an emulated world (${why})\n`);
      expect(readFileSync(join(cwd, file)).equals(before), file).toBe(true);
    }
    expect(existsSync(join(cwd, "j2.db"))).toBe(false);
    expect(existsSync(join(cwd, "other"))).toBe(false);
  });

  it("--journal naming a folder, a JSON file or an emulated world, and --log-file naming a folder: exit 2, one line, nothing made", async () => {
    const w = makeWorld(8);
    const cwd = tempDir();
    writeFileSync(join(cwd, "x.json"), '{"messages": []}');
    const worldBefore = readFileSync(w.path);
    const cases: Array<[string[], string]> = [
      [["--journal", cwd], `--journal "${cwd}": ${cwd} is not a tgrelay journal (a folder)`],
      [["--journal", "x.json"], `--journal "x.json": ${join(cwd, "x.json")} is not a tgrelay journal (not an SQLite database)`],
      [["--journal", w.path], `--journal "${w.path}": ${w.path} is not a tgrelay journal (other tables)`],
      [["--log-file", cwd], `--log-file "${cwd}": ${cwd} is a folder`],
    ];
    for (const [extra, message] of cases) {
      const r = await run(["copy", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "dir:arch", "--progress", "none", ...extra], { cwd });
      expect(r.code, extra.join(" ")).toBe(2);
      expect(r.stderr, extra.join(" ")).toBe(`tgrelay: ${message}\n`);
    }
    const status = await run(["status", "--journal", w.path], { cwd });
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/is not a tgrelay journal \(other tables\)/);
    expect(readdirSync(cwd).sort()).toEqual(["x.json"]);
    expect(readFileSync(w.path).equals(worldBefore)).toBe(true);
  });
});
