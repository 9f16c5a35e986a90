import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/model/errors.js";
import {
  parseChatRef, parseDate, parseDuration, parseKinds, parseMessageId, parseRegex, parseSize,
} from "../../src/cli/values.js";
import { tempDir } from "./helpers.js";

const usage = (f: () => unknown, re: RegExp) => {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(UsageError);
  expect((err as Error).message).toMatch(re);
  expect((err as Error).message).not.toContain("\n");
};

describe("chat references", () => {
  it("expands ~/ after export: and dir: (the shell leaves it: the prefix is glued to it)", () => {
    const home = tempDir("tgrelay-home-");
    mkdirSync(join(home, "Downloads", "ChatExport"), { recursive: true });
    writeFileSync(join(home, "Downloads", "ChatExport", "result.json"), "{}");
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      expect(parseChatRef("to", "dir:~/arch", "target", "/elsewhere")).toMatchObject({ kind: "dir", path: join(home, "arch") });
      expect(parseChatRef("from", "export:~/Downloads/ChatExport", "source", "/elsewhere")).toMatchObject({ kind: "export", path: join(home, "Downloads", "ChatExport") });
      expect(parseChatRef("to", "dir:./~x", "target", "/w")).toMatchObject({ path: "/w/~x" });
    } finally {
      process.env.HOME = saved;
    }
  });
  it("accepts the forms people paste", () => {
    expect(parseChatRef("from", "@durov_news", "source")).toMatchObject({ kind: "username", username: "durov_news" });
    expect(parseChatRef("from", "https://t.me/durov_news", "source")).toMatchObject({ kind: "username", username: "durov_news" });
    expect(parseChatRef("from", "t.me/s/durov_news", "source")).toMatchObject({ kind: "username", username: "durov_news" });
    expect(parseChatRef("from", "https://t.me/c/1234567890", "source")).toMatchObject({ kind: "id", chatId: "-1001234567890" });
    expect(parseChatRef("from", "-1001234567890", "source")).toMatchObject({ kind: "id", chatId: "-1001234567890" });
    const d = tempDir();
    expect(parseChatRef("to", `dir:${join(d, "new")}`, "target")).toMatchObject({ kind: "dir", path: join(d, "new") });
    writeFileSync(join(d, "result.json"), "{}");
    expect(parseChatRef("from", `export:${d}`, "source")).toMatchObject({ kind: "export", path: d });
  });
  it("refuses what cannot work, saying what to write instead", () => {
    usage(() => parseChatRef("from", "@abc", "source"), /not a valid @username/);
    usage(() => parseChatRef("from", "1234567890", "source"), /-100 prefix/);
    usage(() => parseChatRef("from", "https://t.me/+AbCdEf", "source"), /invite links/);
    usage(() => parseChatRef("from", "https://t.me/joinchat/AbCdEf", "source"), /invite links/);
    usage(() => parseChatRef("from", "https://t.me/durov_news/123", "source"), /--from-id 123/);
    usage(() => parseChatRef("from", "https://t.me/c/1234567890/55", "source"), /--from-id 55/);
    usage(() => parseChatRef("from", "hello world", "source"), /expected @username/);
    usage(() => parseChatRef("to", "export:/x", "target"), /only be read/);
    usage(() => parseChatRef("from", "export:/no/such/place", "source"), /no such file/);
    usage(() => parseChatRef("from", "dir:/no/such/place", "source"), /no such folder/);
    const d = tempDir();
    writeFileSync(join(d, "f"), "x");
    usage(() => parseChatRef("to", `dir:${join(d, "f")}`, "target"), /not a folder/);
    mkdirSync(join(d, "sub"));
  });
});

describe("numbers, sizes, durations, dates, regexes, kinds", () => {
  it("sizes are binary", () => {
    expect(parseSize("budget", "256MB")).toBe(256 * 2 ** 20);
    expect(parseSize("budget", "1.5g")).toBe(1.5 * 2 ** 30);
    expect(parseSize("budget", "512 KiB")).toBe(512 * 1024);
    expect(parseSize("budget", "1000")).toBe(1000);
    usage(() => parseSize("budget", "lots"), /--budget "lots": expected a size/);
    usage(() => parseSize("budget", "5XB"), /expected a size/);
    usage(() => parseSize("budget", "99999999999999999999999TB"), /--budget "99999999999999999999999TB": too large/);
    usage(() => parseSize("max-size", "1".repeat(400)), /too large/);
    expect(parseSize("max-size", "8000TB")).toBe(8000 * 2 ** 40);
  });
  it("durations: a bare number is seconds", () => {
    expect(parseDuration("delay", "500ms")).toBe(500);
    expect(parseDuration("delay", "2")).toBe(2000);
    expect(parseDuration("delay", "1.5m")).toBe(90_000);
    usage(() => parseDuration("delay", "soon"), /expected a duration/);
  });
  it("dates in UTC; --until takes the whole day", () => {
    expect(parseDate("since", "2024-05-31")).toBe(Date.UTC(2024, 4, 31) / 1000);
    expect(parseDate("until", "2024-05-31", true)).toBe(Date.UTC(2024, 4, 31, 23, 59, 59) / 1000);
    expect(parseDate("since", "2024-05-31T10:00+02:00")).toBe(Date.UTC(2024, 4, 31, 8) / 1000);
    expect(parseDate("since", "1717113600")).toBe(1717113600);
    usage(() => parseDate("since", "2024-02-30"), /expected a date/);
    usage(() => parseDate("since", "31.05.2024"), /expected a date/);
    usage(() => parseDate("since", "2024-05-31T25:00"), /expected a date/);
  });
  it("message ids", () => {
    expect(parseMessageId("from-id", "17")).toBe(17);
    usage(() => parseMessageId("from-id", "0"), /at least 1/);
    usage(() => parseMessageId("from-id", "1e3"), /whole number/);
  });
  it("regexes", () => {
    expect(parseRegex("text", "/news/i").flags).toBe("iu");
    usage(() => parseRegex("text", "(unclosed"), /--text "\(unclosed": not a valid regex/);
    usage(() => parseRegex("text", "/x/g"), /flag "g"/);
  });
  it("kinds with aliases", () => {
    expect(parseKinds("kind", ["photo,video", "round", "gif"])).toEqual(["photo", "video", "videoNote", "animation"]);
    usage(() => parseKinds("kind", ["pictures"]), /unknown kind/);
  });
});
