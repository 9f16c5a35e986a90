// Options of local sources: --chat (whole-account exports, archives of several chats), --missing and
// --absent (Desktop exports whose files are not all there), --verify (archived files' SHA-256).
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run, tempDir } from "./helpers.js";

const FIX = join(import.meta.dirname, "..", "fixtures", "desktop-export", "innerdvations-json");
const SAVED = join(FIX, "saved.json");

describe("export and archive options", () => {
  it("--absent missing and --missing skip|text on a JSON-only export; the default refusal names --absent", async () => {
    const cwd = tempDir();
    const plan = (...extra: string[]) => run(["plan", "--from", `export:${SAVED}`, "--to", `dir:${join(cwd, "out")}`, ...extra], { cwd });
    const refused = await plan();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^tgrelay: .*saved\.json: message \d+ names .*, which is not there \(--absent missing .*\)\n$/u);
    const asText = await plan("--absent", "missing");
    const skipped = await plan("--absent", "missing", "--missing", "skip");
    expect([asText.code, skipped.code]).toEqual([0, 0]);
    const read = (s: string) => Number(/Total: (\d+) posts read/u.exec(s)?.[1]);
    const without = Number(/(\d+) posts of the export have no file \(skipped\)/u.exec(skipped.stdout)?.[1]);
    expect(asText.stdout).toMatch(/posts of the export have no file \(sent as text\)/u);
    expect(without).toBeGreaterThan(0);
    // Skipped posts without a file (and with text) are gone from the plan; as text they stay.
    expect(read(skipped.stdout)).toBeLessThan(read(asText.stdout));
    expect(existsSync(join(cwd, "out"))).toBe(false);
  });

  it("refuses bad values and options for the wrong source, before anything is read", async () => {
    const cwd = tempDir();
    const cases: Array<[string[], RegExp]> = [
      [["--from", `export:${SAVED}`, "--missing", "maybe"], /--missing "maybe": expected one of text, skip/u],
      [["--from", `export:${SAVED}`, "--absent", "ignore"], /--absent "ignore": expected one of error, missing/u],
      [["--from", `export:${SAVED}`, "--verify"], /--verify: only for a dir:PATH source/u],
      [["--from", "@cli_source", "--chat", "x"], /--chat "x": only for an export:PATH or dir:PATH source/u],
      [["--from", `dir:${cwd}`, "--missing", "skip"], /--missing: only for a Telegram Desktop export:PATH source/u],
    ];
    for (const [args, message] of cases) {
      const r = await run(["plan", ...args, "--to", `dir:${join(cwd, "out")}`], { cwd });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("dir: with two chats says to use --chat; --chat picks one, --verify checks its files", async () => {
    const cwd = tempDir();
    const root = join(cwd, "arch");
    for (const f of [join(FIX, "public_channel.json"), join(FIX, "..", "tg2md-private-channel")]) {
      const r = await run(["copy", "--from", `export:${f}`, "--to", `dir:${root}`, "--absent", "missing", "--progress", "none"], { cwd });
      expect(r.code, r.stderr).toBe(0);
    }
    const chats = readdirSync(root).filter((f) => !f.startsWith("."));
    expect(chats).toHaveLength(2);
    const ambiguous = await run(["plan", "--from", `dir:${root}`, "--to", `dir:${join(cwd, "b")}`], { cwd });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/holds 2 chats, choose one of: .*; give it with --chat\n$/u);
    const one = await run(["copy", "--from", `dir:${root}`, "--chat", chats[0]!, "--verify", "--to", `dir:${join(cwd, "b")}`, "--progress", "none"], { cwd });
    expect(one.stderr).toBe("");
    expect(one.code).toBe(0);
    // --verify reads every file: a damaged one is found before it is sent.
    const withFiles = chats.find((c) => readdirSync(join(root, c), { recursive: true, withFileTypes: true }).some((d) => d.isFile() && d.name.endsWith(".jpg")))!;
    const file = readdirSync(join(root, withFiles), { recursive: true, withFileTypes: true }).find((d) => d.isFile() && d.name.endsWith(".jpg") && !d.name.includes("thumb"));
    expect(file).toBeDefined();
    if (file) {
      writeFileSync(join(file.parentPath, file.name), "damaged");
      const bad = await run(["copy", "--from", `dir:${root}`, "--chat", withFiles, "--verify", "--to", `dir:${join(cwd, "c")}`, "--progress", "none"], { cwd });
      expect(bad.code, `${file.name}: ${bad.stdout}${bad.stderr}`).not.toBe(0);
    }
  });
});
