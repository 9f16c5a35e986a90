import { EventEmitter } from "node:events";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "./helpers.js";
import { makeWorld, openWorld } from "./world.js";

const lines = (s: string) => s.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown> & { type: string });

describe("plan against the emulator", () => {
  it("after a copy, a plan with a target added shows the first target as already delivered and records nothing", async () => {
    const w = makeWorld(12, { protectedShare: 0 });
    const base = ["--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "@cli_target"];
    expect((await run(["copy", ...base, "--progress", "none"], { cwd: w.dir })).code).toBe(0);
    const fs = await import("node:fs");
    const before = fs.readFileSync(join(w.dir, "tgrelay.db")).length;
    const r = await run(["plan", ...base, "--to", `dir:${join(w.dir, "added")}`, "--json"], { cwd: w.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const batches = lines(r.stdout).filter((l) => l.type === "batch") as unknown as Array<{ targets: Array<{ target: string; strategy: string }> }>;
    expect(batches.length).toBeGreaterThan(0);
    for (const b of batches) {
      expect(b.targets[0]!.strategy).toBe("done");
      expect(b.targets[1]!.strategy).toBe("archive");
    }
    expect(fs.readFileSync(join(w.dir, "tgrelay.db")).length).toBe(before);
  });

  it("shows every batch with albums whole, the strategy and why, chunks; sends nothing", async () => {
    const w = makeWorld(30);
    const args = ["plan", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "@cli_target", "--to", `dir:${join(w.dir, "arch")}`, "--chunk", "10"];
    const r = await run([...args, "--json"], { cwd: w.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    const report = out.at(-1)!;
    expect(report.type).toBe("plan");
    expect(report.posts).toBe(w.sourcePosts);
    const batches = out.filter((l) => l.type === "batch") as unknown as Array<{ ids: number[]; album: boolean; targets: Array<{ target: string; strategy: string; reason: string }>; protected: boolean }>;
    // Albums in the plan are exactly the source's albums.
    const emu = openWorld(w);
    const src = emu.inspect("@cli_source");
    const albums = new Map<string, number[]>();
    for (const p of src) if (p.groupedId) albums.set(p.groupedId, [...(albums.get(p.groupedId) ?? []), p.id]);
    expect(batches.filter((b) => b.album).map((b) => b.ids)).toEqual([...albums.values()]);
    expect(batches.flatMap((b) => b.ids)).toEqual(src.map((p) => p.id));
    for (const b of batches) {
      const chat = b.targets[0]!;
      expect(chat.strategy).toBe(b.protected ? "reupload" : "copy");
      expect(chat.reason).toMatch(b.protected ? /protected/ : /by reference/);
      expect(b.targets[1]!.strategy).toBe("archive");
    }
    const chunkLines = out.filter((l) => l.type === "chunk") as unknown as Array<{ index: number; fromId: number; toId: number; posts: number }>;
    expect(report.chunks).toBe(Math.ceil((report.range as { toId: number }).toId / 10));
    expect(chunkLines.length).toBeLessThanOrEqual(report.chunks as number);
    expect(chunkLines.reduce((n, c) => n + c.posts, 0)).toBe(w.sourcePosts);
    for (const c of chunkLines) expect(c.toId - c.fromId + 1).toBeLessThanOrEqual(10);
    expect(emu.inspect("@cli_target")).toEqual([]);
    emu.close();
    // Nothing created either: no archive folder, no journal.
    const fs = await import("node:fs");
    expect(fs.existsSync(join(w.dir, "arch"))).toBe(false);
    expect(fs.existsSync(join(w.dir, "tgrelay.db"))).toBe(false);
    // The text form says the same for people.
    const text = await run(args, { cwd: w.dir });
    expect(text.stdout).toMatch(/Nothing was sent/);
    expect(text.stdout).toMatch(/album: /);
  });

  it("--skip-protected and filters show as skips with their reasons", async () => {
    const w = makeWorld(30);
    const r = await run(["plan", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "@cli_target", "--skip-protected", "--kind", "photo", "--json"], { cwd: w.dir });
    expect(r.code).toBe(0);
    const report = lines(r.stdout).at(-1)! as unknown as { skipped: Record<string, number> };
    expect(Object.keys(report.skipped).some((k) => k.startsWith("kind:"))).toBe(true);
    expect(Object.keys(report.skipped).some((k) => /protected/.test(k))).toBe(true);
  });

  it("--skip-protected and --mode forward: batches every target skips are not counted to send", async () => {
    const w = makeWorld(30, { protectedShare: 0.5 });
    for (const flag of [["--skip-protected"], ["--mode", "forward"]]) {
      const r = await run(["plan", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "@cli_target", ...flag, "--json"], { cwd: w.dir });
      expect(r.code, r.stderr).toBe(0);
      const out = lines(r.stdout) as unknown as Array<{ type: string; skip?: string; ids: number[]; targets: Array<{ strategy: string }> }>;
      const report = out.at(-1)! as unknown as { batches: number; skipped: Record<string, number> };
      const batches = out.filter((b) => b.type === "batch");
      const skippedEverywhere = batches.filter((b) => b.skip || b.targets.every((t) => t.strategy === "skip"));
      expect(skippedEverywhere.length, flag.join(" ")).toBeGreaterThan(0);
      expect(report.batches).toBe(batches.length - skippedEverywhere.length);
      const text = await run(["plan", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "@cli_target", ...flag], { cwd: w.dir });
      expect(text.stdout).toContain(`${report.batches} batches to send`);
    }
  });
});

describe("copy against the emulator", () => {
  it("copies everything with two accounts, --json is the event stream ending in a summary, a rerun resumes with nothing to send", async () => {
    const w = makeWorld(30);
    const args = ["copy", "--emulator", w.path, "--accounts", "alice,bob", "--from", "@cli_source", "--to", "@cli_target", "--to", `dir:${join(w.dir, "arch")}`, "--chunk", "10", "--json"];
    const r = await run(args, { cwd: w.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const events = lines(r.stdout);
    const summary = events.at(-1)! as unknown as { type: string; posts: { read: number; failed: number }; accounts: Record<string, { sent: number }> };
    expect(summary.type).toBe("summary");
    expect(summary.posts.failed).toBe(0);
    const types = new Set(events.map((e) => e.type));
    for (const t of ["chunk", "read", "downloaded", "sent", "done"]) expect(types.has(t), t).toBe(true);
    expect(events.at(-2)!.type).toBe("done");
    // Both accounts did work (chunks are shared).
    expect(new Set(events.filter((e) => e.type === "sent").map((e) => e.account))).toEqual(new Set(["alice", "bob"]));
    // sent events carry ids as an object (a Map in memory).
    const sent = events.find((e) => e.type === "sent")! as unknown as { ids: Record<string, number[]> };
    expect(Object.keys(sent.ids).length).toBeGreaterThan(0);
    const emu = openWorld(w);
    const src = emu.inspect("@cli_source");
    const dst = emu.inspect("@cli_target");
    expect(dst.map((p) => p.text)).toEqual(src.map((p) => p.text));
    // Albums arrive as albums: same membership by position.
    const groups = (ps: typeof src) => ps.map((p) => ps.filter((q) => q.groupedId !== undefined && q.groupedId === p.groupedId).map((q) => q.position).join(","));
    expect(groups(dst)).toEqual(groups(src));
    emu.close();

    const again = await run(args, { cwd: w.dir });
    expect(again.code).toBe(0);
    const s2 = lines(again.stdout).at(-1)! as unknown as { posts: { sent: number; skipped: number }; skippedByReason: Record<string, number> };
    expect(s2.posts.sent).toBe(0);
    expect(s2.skippedByReason["already delivered"]).toBe(w.sourcePosts);
    const emu2 = openWorld(w);
    expect(emu2.inspect("@cli_target").length).toBe(w.sourcePosts);
    emu2.close();

    const status = await run(["status", "--json"], { cwd: w.dir });
    const job = lines(status.stdout)[0]! as unknown as { targets: Array<{ delivered: number; failed: number }> };
    expect(job.targets.map((t) => t.delivered)).toEqual([w.sourcePosts, w.sourcePosts]);
  });

  it("caption template, replacements and filters reach the target with their entities", async () => {
    const w = makeWorld(20);
    const r = await run(["copy", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "@cli_other",
      "--kind", "photo", "--caption-template", "**#{id}** {text}", "--progress", "none"], { cwd: w.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/By kind \(posts\):/);
    const emu = openWorld(w);
    const src = emu.inspect("@cli_source");
    const dst = emu.inspect("@cli_other");
    // Kept: singles that are photos, and whole albums holding at least one photo.
    const keptAlbums = new Set(src.filter((p) => p.groupedId && p.media?.kind === "photo").map((p) => p.groupedId));
    const expected = src.filter((p) => (p.groupedId ? keptAlbums.has(p.groupedId) : p.media?.kind === "photo"));
    expect(dst.length).toBe(expected.length);
    expect(dst.map((p) => p.media?.kind)).toEqual(expected.map((p) => p.media?.kind));
    expect(dst.some((p) => p.media?.kind !== "photo")).toBe(src.some((p) => p.groupedId && keptAlbums.has(p.groupedId) && p.media?.kind !== "photo"));
    const captioned = dst.filter((p) => p.text.startsWith("#"));
    expect(captioned.length).toBeGreaterThan(0);
    for (const p of captioned) {
      const idText = /^#(\d+)/u.exec(p.text)![0];
      expect(p.entities[0]).toMatchObject({ type: "bold", offset: 0, length: idText.length });
    }
    emu.close();
  });

  it("first SIGINT stops gracefully with 130 and a rerun finishes without duplicates; a second signal leaves at once", async () => {
    const w = makeWorld(30);
    const args = ["copy", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "@cli_target", "--chunk", "10", "--json", "--concurrency", "1"];
    const signals = new EventEmitter();
    let fired = 0;
    const r = await run(args, {
      cwd: w.dir, signals,
      during: (io) => {
        const write = io.stdout.write.bind(io.stdout);
        io.stdout.write = ((chunk: string, ...rest: unknown[]) => {
          if (fired === 0 && String(chunk).includes("\"type\":\"sent\"")) { fired++; signals.emit("SIGINT"); }
          return (write as (c: string, ...r: unknown[]) => boolean)(chunk, ...rest);
        }) as typeof io.stdout.write;
      },
    });
    expect(r.code).toBe(130);
    const events = lines(r.stdout);
    expect(events.some((e) => e.type === "notice" && /stopping/.test(String(e.text)))).toBe(true);
    expect((events.at(-1) as unknown as { stopped: boolean }).stopped).toBe(true);
    let emu = openWorld(w);
    const partial = emu.inspect("@cli_target").length;
    emu.close();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(w.sourcePosts);
    const rest = await run(args, { cwd: w.dir });
    expect(rest.code).toBe(0);
    emu = openWorld(w);
    const src = emu.inspect("@cli_source");
    const dst = emu.inspect("@cli_target");
    expect(dst.map((p) => p.text)).toEqual(src.map((p) => p.text));
    emu.close();

    // Two signals: the second calls exitNow(130).
    const w2 = makeWorld(30);
    const sig2 = new EventEmitter();
    let n = 0;
    const r2 = await run(["copy", "--emulator", w2.path, "--accounts", "alice", "--from", "@cli_source", "--to", "@cli_target", "--json", "--concurrency", "1"], {
      cwd: w2.dir, signals: sig2,
      during: (io) => {
        const write = io.stdout.write.bind(io.stdout);
        io.stdout.write = ((chunk: string, ...rest: unknown[]) => {
          if (n === 0 && String(chunk).includes("\"type\":\"read\"")) { n++; sig2.emit("SIGTERM"); sig2.emit("SIGINT"); }
          return (write as (c: string, ...r: unknown[]) => boolean)(chunk, ...rest);
        }) as typeof io.stdout.write;
      },
    });
    expect(r2.exits).toEqual([130]);
  });
});

describe("ranges cut through albums", () => {
  it("--from-id/--to-id inside an album widen the range to the whole album, with a notice", async () => {
    const w = makeWorld(30, { protectedShare: 0 });
    const emu = openWorld(w);
    const src = emu.inspect("@cli_source");
    emu.close();
    const albums = new Map<string, number[]>();
    for (const p of src) if (p.groupedId) albums.set(p.groupedId, [...(albums.get(p.groupedId) ?? []), p.id]);
    const [first, second] = [...albums.values()].filter((ids) => ids.length >= 2);
    expect(first && second).toBeTruthy();
    const fromId = first![1]!;
    const toId = second![second!.length - 2]!;
    const r = await run(["plan", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "@cli_target",
      "--from-id", String(fromId), "--to-id", String(toId), "--json"], { cwd: w.dir });
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    const report = out.at(-1)! as unknown as { range: { fromId: number; toId: number }; notices: string[] };
    expect(report.range).toMatchObject({ fromId: first![0], toId: second!.at(-1) });
    expect(report.notices.join("\n")).toMatch(new RegExp(`cut by --from-id ${fromId}: widened to start at ${first![0]}`));
    expect(report.notices.join("\n")).toMatch(new RegExp(`cut by --to-id ${toId}: widened to end at ${second!.at(-1)}`));
    const batches = out.filter((l) => l.type === "batch") as unknown as Array<{ ids: number[] }>;
    expect(batches[0]!.ids).toEqual(first);
    expect(batches.at(-1)!.ids).toEqual(second);
    // copy does the same, and says so.
    const c = await run(["copy", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "@cli_target",
      "--from-id", String(fromId), "--to-id", String(toId), "--progress", "lines"], { cwd: w.dir });
    expect(c.code).toBe(0);
    expect(c.stderr).toMatch(/widened to start at/);
    const after = openWorld(w);
    expect(after.inspect("@cli_target").length).toBe(src.filter((p) => p.id >= first![0]! && p.id <= second!.at(-1)!).length);
    after.close();
  });
});

describe("a tdl export as the source", () => {
  it("reads the listed ids from the Telegram chat the export names", async () => {
    const w = makeWorld(20, { protectedShare: 0 });
    const emu = openWorld(w);
    const src = emu.inspect("@cli_source");
    const channelId = emu.chat("@cli_source").channelId;
    emu.close();
    // Singles only, so no album is cut by the list; tdl writes newest first.
    const picked = src.filter((p) => p.groupedId === undefined).slice(2, 7).map((p) => p.id);
    const file = join(w.dir, "tdl-export.json");
    const fs = await import("node:fs");
    fs.writeFileSync(file, JSON.stringify({ id: Number(channelId), messages: [...picked].reverse().map((id) => ({ id, type: "message", file: "" })) }));
    const plan = await run(["plan", "--emulator", w.path, "--accounts", "alice", "--from", `export:${file}`, "--to", "@cli_target", "--json"], { cwd: w.dir });
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
    const batches = lines(plan.stdout).filter((l) => l.type === "batch") as unknown as Array<{ ids: number[] }>;
    expect(batches.flatMap((b) => b.ids)).toEqual(picked);
    const copy = await run(["copy", "--emulator", w.path, "--accounts", "alice", "--from", `export:${file}`, "--to", "@cli_target", "--json"], { cwd: w.dir });
    expect(copy.code).toBe(0);
    const after = openWorld(w);
    expect(after.inspect("@cli_target").map((p) => p.text)).toEqual(picked.map((id) => src.find((p) => p.id === id)!.text));
    after.close();
  });
});
