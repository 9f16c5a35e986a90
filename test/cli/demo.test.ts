import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run, tempDir } from "./helpers.js";

interface Comparison { type: string; target: string; postsCompared: number; albums: number; albumsIntact: boolean; orderKept: boolean; bytesEqual: boolean; filesCompared: number; differences: Array<{ kind: string; field?: string }> }

describe("tgrelay demo", () => {
  it("copies the protected channel (export + generated) with two accounts to a channel and an archive, and compares", async () => {
    const dir = tempDir("tgrelay-demo-test-");
    const r = await run(["demo", "--keep", dir, "--json"], { cwd: dir });
    expect(r.stderr).toBe("");
    const out = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string } & Record<string, unknown>);
    const summary = out.find((e) => e.type === "summary") as unknown as { posts: { read: number; failed: number }; floodWaits: number; accounts: Record<string, { sent: number; floodWaits: number }> };
    expect(summary.posts.failed).toBe(0);
    // Flood waits were injected on both accounts' calls and sat out.
    expect(summary.floodWaits).toBeGreaterThan(0);
    // Both accounts worked (how the chunks fall between them, and so whose sends meet the injected flood
    // waits, depends on timing).
    expect(Object.values(summary.accounts).every((a) => a.sent > 0)).toBe(true);
    expect(Object.values(summary.accounts).reduce((n, a) => n + a.floodWaits, 0)).toBe(summary.floodWaits);
    const [channel, archive] = out.filter((e) => e.type === "comparison") as unknown as Comparison[];
    // The export's 18 posts plus 60 generated.
    expect(channel!.postsCompared).toBe(78);
    expect(channel!.albums).toBeGreaterThan(1);
    expect(channel!.albumsIntact && channel!.orderKept && channel!.bytesEqual).toBe(true);
    expect(archive!.differences).toEqual([]);
    expect(archive!.filesCompared).toBeGreaterThan(50);
    expect(channel!.differences).toEqual([]);
    expect(r.code).toBe(0);
    // The archive is where the report says, with its manifest.
    expect(archive!.target.startsWith(`dir:${join(dir, "archive")}`)).toBe(true);
    const manifest = join(archive!.target.slice(4), "manifest.jsonl");
    expect(existsSync(manifest)).toBe(true);
    expect(readFileSync(manifest, "utf8").trim().split("\n")).toHaveLength(78);
  }, 180_000);

  it("--keep: prints the command that continues the demo's own job, and that command finds nothing left to send", async () => {
    const dir = tempDir("tgrelay-demo-keep-");
    const r = await run(["demo", "--keep", dir, "--progress", "none"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`the journal is ${join(dir, "journal.db")}`);
    const suggested = /`tgrelay (plan [^`]+)`/u.exec(r.stdout)?.[1];
    expect(suggested).toBeDefined();
    expect(suggested).toContain(`--journal ${join(dir, "journal.db")}`);
    expect(suggested).toContain(`--to dir:${join(dir, "archive")}`);
    const plan = await run(suggested!.split(" "), { cwd: dir });
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/0 batches to send/u);
    expect(plan.stdout).toContain("Skipped: already delivered 78.");
  }, 180_000);

  it("without --keep, the demo's temp folder is removed at the end", async () => {
    const tmp = tempDir("tgrelay-demo-tmp-");
    const r = await run(["demo", "--progress", "none"], { cwd: tmp, env: { TMPDIR: tmp } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/temp folder .* is removed; `tgrelay demo --keep DIR`/u);
    expect(readdirSync(tmp)).toEqual([]);
  }, 180_000);

  it("--keep on an existing file: one line, exit 2", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "f"), "x");
    const r = await run(["demo", "--keep", "f"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tgrelay: --keep "f": .*f exists and is not a folder\n$/u);
    expect(readFileSync(join(dir, "f"), "utf8")).toBe("x");
  });
});
