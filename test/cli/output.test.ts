import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { accountLogger, createLogger } from "../../src/cli/logger.js";
import { unknownOnce } from "../../src/cli/main.js";
import { JsonDisplay, LinesDisplay, statusLine, toJson } from "../../src/cli/progress.js";
import { formatSummary, Tally } from "../../src/cli/summary.js";
import { ZERO_TOTALS, type RelayEvent, type RelayTotals } from "../../src/pipeline/events.js";
import { Captured, run, tempDir } from "./helpers.js";
import { makeWorld } from "./world.js";

const totals = (over: Partial<RelayTotals> = {}): RelayTotals => ({ ...ZERO_TOTALS, ...over });

describe("the tally (progress and summary from events only)", () => {
  it("counts by kind (per post, once) and by reason; failures are listed", () => {
    let now = 1_000_000;
    const t = new Tally(() => now, ["alice"]);
    t.noteKind(1, "photo"); t.noteKind(2, "photo"); t.noteKind(3, "video"); t.noteKind(4, "sticker");
    const base = { account: "alice" };
    const events: RelayEvent[] = [
      { ...base, type: "read", postId: 1, totals: totals({ read: 1 }) },
      { ...base, type: "downloaded", seq: 0, postIds: [1, 2], bytes: 2048, totals: totals({ read: 2, bytesDownloaded: 2048 }) },
      { ...base, type: "sent", seq: 0, target: "@a", postIds: [1, 2], strategy: "reupload", ids: new Map([[1, [10]], [2, [11]]]), duplicate: false, bytes: 2048, warnings: ["caption cut"], totals: totals({ sent: 2 }) },
      { ...base, type: "sent", seq: 0, target: "dir:/x", postIds: [1, 2], strategy: "archive", ids: new Map(), duplicate: false, bytes: 2048, warnings: [], totals: totals({ sent: 4 }) },
      { ...base, type: "failed", seq: 1, postIds: [3], reason: "TIMEOUT", target: "@a", totals: totals({ sent: 4, failed: 1 }) },
      { ...base, type: "skipped", postIds: [4], reason: "kind:sticker", totals: totals({ sent: 4, failed: 1, skipped: 1, settled: 4, read: 4, bytesDownloaded: 2048, bytesSent: 4096 }) },
    ];
    for (const e of events) t.add(e);
    now += 2000;
    const s = t.summary();
    expect(s.byKind).toEqual({ photo: { sent: 2, skipped: 0, failed: 0 }, video: { sent: 0, skipped: 0, failed: 1 }, sticker: { sent: 0, skipped: 1, failed: 0 } });
    expect(s.skippedByReason).toEqual({ "kind:sticker": 1 });
    expect(s.failedByReason).toEqual({ TIMEOUT: 1 });
    expect(s.failures).toEqual([{ postIds: [3], reason: "TIMEOUT", account: "alice", target: "@a" }]);
    expect(s.albumsSent).toBe(2);
    expect(s.durationMs).toBe(2000);
    expect(s.bytesPerSecond).toBe(2048);
    expect(s.warnings).toEqual(["@a: caption cut"]);
    const text = formatSummary(s);
    expect(text).toMatch(/Done in 2s: 4 posts read/);
    expect(text).toMatch(/Failed: TIMEOUT 1/);
    expect(text).toMatch(/failed 3 -> @a: TIMEOUT/);
    expect(text).toMatch(/tgrelay retry/);
  });

  it("a flood wait counts down on the status line, from the tally's clock", () => {
    let now = 0;
    const t = new Tally(() => now, ["bob"]);
    t.add({ account: "bob", type: "flood-wait", method: "messages.SendMultiMedia", seconds: 30, until: 30_000, attempt: 1, seq: 0, target: "@a", totals: totals({ floodWaits: 1, floodWaitSeconds: 30 }) });
    expect(statusLine(t, "bob")).toMatch(/flood wait 30s$/);
    now = 12_000;
    expect(statusLine(t, "bob")).toMatch(/flood wait 18s$/);
    expect(statusLine(t)).toMatch(/flood wait: bob/);
    now = 31_000;
    expect(statusLine(t, "bob")).not.toMatch(/flood wait/);
  });

  it("scheduled jobs: overall totals are the job's, per account counts come from its events", () => {
    const t = new Tally(() => 0, ["a", "b"]);
    t.total = 10;
    t.add({ type: "read", account: "a", postId: 1, chunk: 0, totals: totals({ read: 1 }) } as never);
    t.add({ type: "read", account: "b", postId: 6, chunk: 1, totals: totals({ read: 2, settled: 5 }) } as never);
    expect(t.overall().read).toBe(2);
    expect(t.account("a").counts.read).toBe(1);
    // Progress counts posts with a known fate, each once, from the events (not a relay's running totals).
    t.add({ type: "skipped", account: "a", postIds: [1, 2, 3], reason: "kind:sticker", chunk: 0, totals: totals({ read: 2 }) } as never);
    t.add({ type: "sent", account: "b", seq: 0, target: "@x", postIds: [3, 6], strategy: "copy", ids: new Map(), duplicate: false, bytes: 0, warnings: [], chunk: 1, totals: totals({ read: 2 }) } as never);
    t.add({ type: "sent", account: "b", seq: 0, target: "@y", postIds: [6, 7], strategy: "copy", ids: new Map(), duplicate: false, bytes: 0, warnings: [], chunk: 1, totals: totals({ read: 2 }) } as never);
    expect(statusLine(t)).toMatch(/^5\/~10 posts/);
    t.add({ type: "done", account: "", stopped: true, totals: totals({ read: 2 }) } as never);
    expect(t.summary().stopped).toBe(true);
  });
});

describe("displays", () => {
  it("--json writes each event as one JSON line (Maps as objects) and the summary last", () => {
    const out = new Captured();
    const d = new JsonDisplay(out);
    d.event({ account: "a", type: "sent", seq: 0, target: "@t", postIds: [5], strategy: "copy", ids: new Map([[5, [50]]]), duplicate: false, bytes: 0, warnings: [], totals: totals() });
    d.note("hello");
    d.finish(new Tally(() => 0).summary());
    const lines = out.text.trim().split("\n").map((l) => JSON.parse(l) as { type: string; ids?: unknown });
    expect(lines.map((l) => l.type)).toEqual(["sent", "notice", "summary"]);
    expect(lines[0]!.ids).toEqual({ 5: [50] });
    expect(toJson({ n: 10n })).toBe('{"n":"10"}');
  });
  it("plain lines report failures and flood waits as they happen", () => {
    const err = new Captured();
    const out = new Captured();
    const t = new Tally(() => 0);
    const d = new LinesDisplay(t, err, out, 60_000);
    d.event({ account: "a", type: "failed", seq: 1, postIds: [3, 4], reason: "TIMEOUT", target: "@t", totals: totals() });
    d.event({ account: "a", type: "flood-wait", method: "messages.SendMedia", seconds: 75, until: 0, attempt: 1, seq: 2, target: "@t", totals: totals() });
    d.finish(t.summary());
    expect(err.text).toContain("failed: 3,4 -> @t: TIMEOUT");
    expect(err.text).toContain("flood wait: a waits 1m 15s (messages.SendMedia)");
    expect(out.text).toMatch(/^Done in/);
  });
});

describe("logs", () => {
  it("pino writes JSON to --log-file with secrets redacted", async () => {
    const file = join(tempDir(), "t.log");
    const { logger, close } = createLogger({ level: "info", file });
    logger.info({ apiHash: "0123456789abcdef0123456789abcdef", account: { session: "1BQANOTSECRET" }, keep: "visible" }, "hello");
    await close();
    const text = readFileSync(file, "utf8");
    expect(text).toContain("visible");
    expect(text).toContain("[redacted]");
    expect(text).not.toContain("0123456789abcdef0123456789abcdef");
    expect(text).not.toContain("1BQANOTSECRET");
  });
});

describe("stderr logs are for people", () => {
  it("without a terminal (and without --log-file): one human line, no JSON, no colours, secrets redacted", () => {
    const err = new Captured();
    const { logger } = createLogger({ level: "info", stderr: err });
    logger.warn({ signal: "SIGINT", apiHash: "0123456789abcdef0123456789abcdef" }, "graceful stop");
    expect(err.text).not.toMatch(/^\{/mu);
    expect(err.text).not.toContain("\u001b[");
    expect(err.text).toMatch(/WARN.*graceful stop/u);
    expect(err.text).toContain("SIGINT");
    expect(err.text).not.toContain("0123456789abcdef0123456789abcdef");
    expect(err.text.trim().split("\n")).toHaveLength(1);
  });
  it("an account's logger names the account once, also when the record has it too", async () => {
    const file = join(tempDir(), "a.log");
    const { logger, close } = createLogger({ level: "info", file });
    accountLogger(logger, "alice").warn({ account: "alice", target: "-100123" }, "duplicate");
    accountLogger(logger, "alice").child({ chat: 1 }).info("nested");
    await close();
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l.match(/"account":/gu)).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ account: "alice", target: "-100123" });
  });
  it("an unknown --flag is named once, as typed", async () => {
    expect(unknownOnce("Unknown arguments: totally-unknown, totallyUnknown")).toBe("Unknown argument: totally-unknown");
    expect(unknownOnce("Unknown arguments: a-b, aB, zz")).toBe("Unknown arguments: a-b, zz");
    const r = await run(["plan", "--totally-unknown", "x"], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tgrelay: Unknown argument: totally-unknown \(see tgrelay plan --help\)\n$/u);
  });
});

describe("--progress bars without a terminal", () => {
  it("shows lines, never the bars' raw format", async () => {
    const w = makeWorld(6, { protectedShare: 0 });
    const r = await run(["copy", "--emulator", w.path, "--accounts", "alice", "--from", "@cli_source", "--to", "@cli_target", "--progress", "bars"], { cwd: w.dir });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/\{name\}|\{bar\}|\{line\}/u);
    expect(r.stdout).toMatch(/^Done in /mu);
  });
});
