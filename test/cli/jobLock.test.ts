// One process per job: a second copy of a running job is refused before it sends; a killed one's lock is taken over.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jobLockPath, lockJob } from "../../src/cli/jobLock.js";
import { run, tempDir } from "./helpers.js";
import { makeWorld, openWorld } from "./world.js";

const copyArgs = (world: string) => ["copy", "--emulator", world, "--accounts", "alice", "--from", "@cli_source", "--to", "@cli_target", "--progress", "none", "--json"];

/** The id of the one job of the journal in `cwd`. */
async function jobIdIn(cwd: string): Promise<string> {
  const status = await run(["status", "--json"], { cwd });
  return (JSON.parse(status.stdout.trim().split("\n")[0]!) as { jobId: string }).jobId;
}

describe("job lock", () => {
  it("is held once; released, it can be taken again", () => {
    const j = join(tempDir(), "tgrelay.db");
    const release = lockJob(j, "abc");
    expect(existsSync(jobLockPath(j, "abc"))).toBe(true);
    expect(() => lockJob(j, "abc")).toThrow(/already running in this process/);
    const other = lockJob(j, "def"); // another job of the same journal is free
    release();
    other();
    expect(existsSync(jobLockPath(j, "abc"))).toBe(false);
    lockJob(j, "abc")();
  });

  it("a job another live process runs: exit 2, one line naming it, nothing sent", async () => {
    const w = makeWorld(8);
    const cwd = tempDir();
    // A first run up to id 3 makes the job; then a live process (our parent) holds its lock.
    expect((await run([...copyArgs(w.path), "--to-id", "3"], { cwd })).code).toBe(0);
    const id = await jobIdIn(cwd);
    const emu = openWorld(w);
    const before = emu.inspect("@cli_target").length;
    emu.close();
    const lock = jobLockPath(join(cwd, "tgrelay.db"), id);
    writeFileSync(lock, `${process.ppid}\n`);
    const again = await run([...copyArgs(w.path), "--to-id", "3"], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`tgrelay: job ${id} is being run by process ${process.ppid}; wait for it to end (remove ${lock} if that is wrong)\n`);
    expect(again.stdout).toBe("");
    // The whole range is the same job (the range is not part of its id) and has posts left: none went.
    const all = await run(copyArgs(w.path), { cwd });
    expect(all.code).toBe(2);
    const emu2 = openWorld(w);
    expect(emu2.inspect("@cli_target").length).toBe(before);
    emu2.close();
  });

  it("a lock left by a killed process is taken over, and removed at the end", async () => {
    const w = makeWorld(8);
    const cwd = tempDir();
    const first = await run([...copyArgs(w.path), "--to-id", "3"], { cwd });
    expect(first.code).toBe(0);
    const id = await jobIdIn(cwd);
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
    const lock = jobLockPath(join(cwd, "tgrelay.db"), id);
    writeFileSync(lock, `${dead}\n`);
    const r = await run([...copyArgs(w.path), "--to-id", "3"], { cwd });
    expect(r.code).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });
});
