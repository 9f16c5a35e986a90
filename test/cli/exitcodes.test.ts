import { join } from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { mergeSources } from "../../src/cli/config.js";
import { runJob } from "../../src/cli/job.js";
import { emulatorHandles } from "../../src/cli/providers.js";
import { resolveJob } from "../../src/cli/resolve.js";
import { makeIo, run } from "./helpers.js";
import { makeWorld, openWorld } from "./world.js";

const silent = pino({ level: "silent" });

describe("exit codes through the job runner (faults set on the running emulator)", () => {
  it("1 when posts failed (listed in the summary and the journal), then retry sends them: 0", async () => {
    const w = makeWorld(16, { protectedShare: 0 });
    const flags = { from: "@cli_source", to: ["@cli_target"], accounts: ["alice"], emulator: w.path, chunk: "10", progress: "none" };
    const settings = resolveJob(mergeSources("copy", flags, {}, undefined), {}, "copy", undefined, w.dir);
    const emu = openWorld(w);
    // Every send of a single post times out: the adapter gives up, the relay records the failure and goes on.
    emu.faults.dropConnection({ account: "alice", method: "messages.SendMedia", afterCalls: 0, times: 1000 });
    const io = makeIo({ cwd: w.dir });
    const handles = await emulatorHandles(emu, ["alice"], silent);
    const first = await runJob(settings, handles, { io, logger: silent });
    for (const h of handles) await h.close();
    expect(first.code).toBe(1);
    expect(first.summary.posts.failed).toBeGreaterThan(0);
    expect(first.summary.failures.length).toBeGreaterThan(0);
    expect(io.stdout.text).toMatch(/Failed: .*\d/);
    expect(io.stdout.text).toMatch(/tgrelay retry/);
    const failedIds = first.summary.failures.flatMap((f) => f.postIds).sort((a, b) => a - b);
    emu.faults.clear();
    emu.close();

    // retry (a new process: no faults) sends only what failed.
    const r = await run(["retry", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "@cli_target", "--chunk", "10", "--json"], { cwd: w.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; postIds?: number[] });
    const resent = events.filter((e) => e.type === "sent").flatMap((e) => e.postIds!).sort((a, b) => a - b);
    expect(resent).toEqual(failedIds);
    const after = openWorld(w);
    const src = after.inspect("@cli_source");
    const dst = after.inspect("@cli_target");
    expect(dst.length).toBe(src.length);
    after.close();
    // Nothing left to retry.
    const again = await run(["retry", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "@cli_target"], { cwd: w.dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing to retry/);
  });

  it("retry --job ID alone takes the source, targets and options from the journal's stored spec", async () => {
    const w = makeWorld(12, { protectedShare: 0 });
    const archive = join(w.dir, "arch");
    const flags = {
      from: "@cli_source", to: ["@cli_target", `dir:${archive}`], accounts: ["alice"], emulator: w.path, progress: "none",
      notText: "/zzzz-never/i", captionTemplate: "#{id} {text}", mode: "copy",
    };
    const settings = resolveJob(mergeSources("copy", flags, {}, undefined), {}, "copy", undefined, w.dir);
    const emu = openWorld(w);
    emu.faults.dropConnection({ account: "alice", method: "messages.SendMedia", afterCalls: 0, times: 1000 });
    const handles = await emulatorHandles(emu, ["alice"], silent);
    const first = await runJob(settings, handles, { io: makeIo({ cwd: w.dir }), logger: silent });
    for (const h of handles) await h.close();
    expect(first.code).toBe(1);
    const failedIds = first.summary.failures.flatMap((f) => f.postIds).sort((a, b) => a - b);
    expect(failedIds.length).toBeGreaterThan(0);
    emu.faults.clear();
    emu.close();
    const status = await run(["status", "--json"], { cwd: w.dir });
    const jobs = status.stdout.trim().split("\n").map((l) => JSON.parse(l) as { jobId: string });
    expect(jobs).toHaveLength(1);

    const r = await run(["retry", "--job", jobs[0]!.jobId, "--emulator", w.path, "--accounts", "alice", "--json"], { cwd: w.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; postIds?: number[] });
    expect(events.filter((e) => e.type === "sent").flatMap((e) => e.postIds!).sort((a, b) => a - b)).toEqual(failedIds);
    // Still one job: the filled-in options are the stored ones.
    const after = await run(["status", "--json"], { cwd: w.dir });
    const targets = (JSON.parse(after.stdout.trim().split("\n")[0]!) as { targets: Array<{ failed: number }> }).targets;
    expect(after.stdout.trim().split("\n")).toHaveLength(1);
    expect(targets.every((t) => t.failed === 0)).toBe(true);
    const dst = openWorld(w);
    const texts = dst.inspect("@cli_target").map((p) => p.text).filter(Boolean);
    expect(texts.length).toBeGreaterThan(failedIds.length / 2);
    expect(texts.filter((t) => !/^#\d+/u.test(t))).toEqual([]);
    dst.close();
  });

  it("retry --job of a job the journal does not have: one line, exit 2", async () => {
    const w = makeWorld(4);
    const r = await run(["retry", "--job", "0123456789abcdef", "--emulator", w.path, "--accounts", "alice"], { cwd: w.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tgrelay: --job 0123456789abcdef: no journal .*tgrelay\.db/u);
  });

  it("flood waits show as events and in the summary, and the run still delivers everything", async () => {
    const w = makeWorld(12, { protectedShare: 0 });
    const flags = { from: "@cli_source", to: [`dir:${join(w.dir, "a")}`, "@cli_target"], accounts: ["alice"], emulator: w.path, json: true };
    const settings = resolveJob(mergeSources("copy", flags, {}, undefined), {}, "copy", undefined, w.dir);
    const emu = openWorld(w);
    emu.faults.floodWait({ account: "alice", method: "messages.SendMedia", seconds: 1, every: 3, times: 1 });
    const io = makeIo({ cwd: w.dir });
    const handles = await emulatorHandles(emu, ["alice"], silent);
    const res = await runJob(settings, handles, { io, logger: silent });
    for (const h of handles) await h.close();
    emu.close();
    expect(res.code).toBe(0);
    const events = io.stdout.text.trim().split("\n").map((l) => JSON.parse(l) as { type: string; seconds?: number });
    expect(events.filter((e) => e.type === "flood-wait").map((e) => e.seconds)).toEqual([1]);
    expect(res.summary.floodWaits).toBe(1);
    expect(res.summary.posts.failed).toBe(0);
  });
});
