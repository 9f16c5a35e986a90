// --caption-overflow fail: a post the policy refuses is a failure everywhere: summary, exit code, status, retry.
import { describe, expect, it } from "vitest";
import { formatSummary } from "../../src/cli/summary.js";
import { run } from "./helpers.js";
import { makeWorld } from "./world.js";

describe("--caption-overflow fail", () => {
  it("counts refused posts as failed (exit 1), as status does, groups the reason once; retry with truncate sends them", async () => {
    const w = makeWorld(12, { protectedShare: 0 });
    const long = "x".repeat(4200); // over every caption and text limit
    const base = ["--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "@cli_target", "--caption-template", `{text} ${long}`];
    const r = await run(["copy", ...base, "--caption-overflow", "fail", "--json"], { cwd: w.dir });
    expect(r.stderr).not.toMatch(/^tgrelay:/mu);
    expect(r.code, r.stdout.slice(-1500)).toBe(1);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; postIds?: number[]; reason?: string });
    const summary = events.at(-1) as unknown as Parameters<typeof formatSummary>[0];
    const failedEvents = events.filter((e) => e.type === "failed");
    const failedIds = failedEvents.flatMap((e) => e.postIds!);
    expect(failedIds.length).toBeGreaterThan(1);
    expect(summary.posts.failed).toBe(failedIds.length);
    expect(events.filter((e) => e.type === "skipped" && /caption/u.test(e.reason ?? ""))).toEqual([]);
    const status = await run(["status", "--json"], { cwd: w.dir });
    const job = JSON.parse(status.stdout.trim().split("\n")[0]!) as { targets: Array<{ failed: number }> };
    expect(job.targets[0]!.failed).toBe(failedIds.length);
    // One group for all those posts' reasons, not one entry per post.
    const failedLine = formatSummary(summary).split("\n").find((l) => l.startsWith("Failed:"))!;
    expect(failedLine).toMatch(/^Failed: caption of post N is N characters, the limit is N \(caption policy "fail"\) \d+\.$/u);

    const retry = await run(["retry", ...base, "--caption-overflow", "truncate", "--json"], { cwd: w.dir });
    expect(retry.code).toBe(0);
    const resent = retry.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; postIds?: number[] })
      .filter((e) => e.type === "sent").flatMap((e) => e.postIds!);
    expect(resent.sort((a, b) => a - b)).toEqual([...failedIds].sort((a, b) => a - b));
  });
});
