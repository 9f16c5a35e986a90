import { describe, expect, it } from "vitest";
import { chmod, readFile, stat, writeFile } from "node:fs/promises";
import { spawn } from "node:child_process";
import { apiCredentials, connectClient, createClient, gramProxy, lockSession, readSession, sessionPath, writeSession } from "../../src/telegram/session.js";
import { PinoGramLogger, redact } from "../../src/telegram/logger.js";
import { AccountDead, Transient, UsageError } from "../../src/model/errors.js";
import type { TelegramClient } from "telegram";
import { LogLevel } from "telegram/extensions/Logger.js";
import { tempDir } from "../helpers/tempDir.js";

const dir = async (): Promise<string> => tempDir("tgr-sess-");

describe("session files", () => {
  it("are written with mode 0600 and read back", async () => {
    const d = await dir();
    const p = await writeSession(d, "alice", "1AAAsession");
    expect((await stat(p)).mode & 0o777).toBe(0o600);
    expect(await readSession(d, "alice")).toBe("1AAAsession");
  });
  it("a file readable by others is refused", async () => {
    const d = await dir();
    const p = await writeSession(d, "bob", "1x");
    await chmod(p, 0o644);
    await expect(readSession(d, "bob")).rejects.toThrow(/chmod 600/);
    await expect(readSession(d, "nobody")).rejects.toThrow(/tgrelay login nobody/);
  });
  it("names cannot escape the folder", () => {
    expect(() => sessionPath("/s", "../x")).toThrow(UsageError);
  });
});

describe("session lock (case 31)", () => {
  it("refuses a second holder while the first lives, and frees on release", async () => {
    const d = await dir();
    const l = await lockSession(d, "a");
    // The lock holds our pid: a second taker in this process (same as another live process) is refused.
    await expect(lockSession(d, "a")).rejects.toThrow(/in use by process \d+/);
    await l.release();
    const again = await lockSession(d, "a");
    await again.release();
  });
  it("a lock left by a dead process is taken over", async () => {
    const d = await dir();
    const child = spawn(process.execPath, ["-e", "0"]);
    const pid = child.pid!;
    await new Promise((r) => child.on("exit", r));
    await writeFile(`${sessionPath(d, "a")}.lock`, `${pid}\n`);
    const l = await lockSession(d, "a");
    expect((await readFile(l.path, "utf8")).trim()).toBe(String(process.pid));
    await l.release();
  });
});

describe("credentials, proxies, client", () => {
  it("api id and hash from env first, then config; clear errors otherwise", () => {
    const hash = "0123456789abcdef0123456789abcdef";
    expect(apiCredentials({ TGRELAY_API_ID: "12", TGRELAY_API_HASH: hash })).toEqual({ apiId: 12, apiHash: hash });
    expect(apiCredentials({}, { apiId: "7", apiHash: hash })).toEqual({ apiId: 7, apiHash: hash });
    expect(() => apiCredentials({})).toThrow(/TGRELAY_API_ID/);
    expect(() => apiCredentials({ TGRELAY_API_ID: "1", TGRELAY_API_HASH: "short" })).toThrow(/api hash/);
  });
  it("SOCKS5 and MTProxy options map to GramJS's; FakeTLS refused", () => {
    expect(gramProxy({ socks5: { host: "h", port: 1080, username: "u", password: "p" } })).toMatchObject({ ip: "h", port: 1080, socksType: 5, username: "u" });
    expect(gramProxy({ mtproxy: { host: "h", port: 443, secret: "dd" + "0".repeat(32) } })).toMatchObject({ MTProxy: true, secret: "dd" + "0".repeat(32) });
    expect(() => gramProxy({ mtproxy: { host: "h", port: 443, secret: "ee" + "0".repeat(32) } })).toThrow(/FakeTLS/);
  });
  it("createClient sets a low flood threshold and routes GramJS logs to our logger, redacted", () => {
    const lines: string[] = [];
    const sink = { error: (_: object, m?: string) => lines.push(`E ${m}`), warn: (_: object, m?: string) => lines.push(`W ${m}`), info: (_: object, m?: string) => lines.push(`I ${m}`), debug: () => undefined };
    const c = createClient({ session: "", apiId: 1, apiHash: "0123456789abcdef0123456789abcdef", logger: sink, logLevel: "info" });
    expect(c.floodSleepThreshold).toBe(5);
    expect(c.logger.canSend(LogLevel.ERROR)).toBe(false); // GramJS's console.error paths stay silent
    c.logger.warn("token 123456789:AAabcdefghijklmnopqrstuvwxyz0123456789 phone +491701234567");
    expect(lines.at(-1)).toBe("W token <bot-token> phone <phone>");
    c.logger.debug("not shown at info");
    expect(lines.some((l) => l.includes("not shown"))).toBe(false);
  });
  it("redact masks session strings and keys", () => {
    expect(redact("s=1" + "A".repeat(300))).toBe("s=<session>");
    expect(redact("key " + "ab".repeat(64))).toBe("key <hex-key>");
    const l = new PinoGramLogger({ error() {}, warn() {}, info() {}, debug() {} }, LogLevel.ERROR);
    expect(l.logLevel).toBe(LogLevel.ERROR);
  });
});

describe("connecting", () => {
  const fake = (connect: () => Promise<boolean>, authorized = true) =>
    ({ connect, checkAuthorization: async () => authorized }) as unknown as TelegramClient;
  it("connect() answering false is a failure, not a hang", async () => {
    await expect(connectClient(fake(async () => false), "a")).rejects.toBeInstanceOf(Transient);
  });
  it("a connect that never answers times out", async () => {
    await expect(connectClient(fake(() => new Promise<boolean>(() => undefined)), "a", 20)).rejects.toThrow(/could not connect/);
  });
  it("a session that is not logged in is a dead account", async () => {
    await expect(connectClient(fake(async () => true, false), "a")).rejects.toBeInstanceOf(AccountDead);
    await expect(connectClient(fake(async () => true), "a")).resolves.toBeUndefined();
  });
});

describe("session entity table", () => {
  it("keeps one row per entity however often it is seen (gramjs#816)", async () => {
    const { DedupStringSession } = await import("../../src/telegram/dedupSession.js");
    const { Api } = await import("telegram");
    const bigInt = (await import("big-integer")).default;
    const s = new DedupStringSession("");
    const answer = () => ({ users: [new Api.User({ id: bigInt(5), accessHash: bigInt(9), username: "u5" })], chats: [new Api.Channel({ id: bigInt(6), accessHash: bigInt(8), title: "c", photo: new Api.ChatPhotoEmpty(), date: 0 })] });
    for (let i = 0; i < 100; i++) s.processEntities(answer());
    expect((s as unknown as { _entities: Set<unknown> })._entities.size).toBe(2);
    expect([...(s as unknown as { _entities: Set<unknown[]> })._entities].map((r) => r[0]).sort()).toEqual(["-1006", "5"]);
    // GramJS's own session keeps every copy.
    const { StringSession } = await import("telegram/sessions/index.js");
    const plain = new StringSession("");
    for (let i = 0; i < 100; i++) plain.processEntities(answer());
    expect((plain as unknown as { _entities: Set<unknown> })._entities.size).toBe(200);
  });
});

describe("login (the network part is client.start; the flow around it is ours)", () => {
  it("asks phone, code and password through the prompts and returns the session string", async () => {
    const { login } = await import("../../src/telegram/session.js");
    let params: Record<string, unknown> = {};
    const client = {
      start: async (p: Record<string, unknown>) => {
        params = p;
        const phone = await (p.phoneNumber as () => Promise<string>)();
        const code = await (p.phoneCode as () => Promise<string>)();
        const pw = await (p.password as (h?: string) => Promise<string>)("hint");
        expect([phone, code, pw]).toEqual(["+10000000000", "12345", "secret"]);
      },
      session: { save: () => "1SESSION" },
    } as unknown as TelegramClient;
    const s = await login(client, { phone: async () => "+10000000000", code: async () => "12345", password: async (h) => (h === "hint" ? "secret" : "") });
    expect(s).toBe("1SESSION");
    expect(await (params.onError as (e: Error) => Promise<boolean>)(new Error("PHONE_CODE_INVALID"))).toBe(false); // ask again
    expect(await (params.onError as (e: Error) => Promise<boolean>)(new Error("PHONE_NUMBER_INVALID"))).toBe(true); // give up
  });
  it("a bot token logs in as a bot", async () => {
    const { login } = await import("../../src/telegram/session.js");
    let params: Record<string, unknown> = {};
    const client = { start: async (p: Record<string, unknown>) => void (params = p), session: { save: () => "1BOT" } } as unknown as TelegramClient;
    expect(await login(client, { botToken: "123:abc" })).toBe("1BOT");
    expect(params).toEqual({ botAuthToken: "123:abc" });
    await expect(login(client, {})).rejects.toThrow(/phone number and a code/);
  });
});

describe("GramJS logs into pino", () => {
  it("writes JSON lines with lib gramjs, masked", async () => {
    const pino = (await import("pino")).default;
    const lines: string[] = [];
    const log = pino({ level: "debug" }, { write: (l: string) => void lines.push(l) });
    const c = createClient({ session: "", apiId: 1, apiHash: "0123456789abcdef0123456789abcdef", logger: log, logLevel: "info" });
    c.logger.info("Connecting to 149.154.167.51:80/TCPFull with session 1" + "B".repeat(300));
    const rec = JSON.parse(lines.at(-1)!);
    expect(rec).toMatchObject({ lib: "gramjs", level: 30 });
    expect(rec.msg).toBe("Connecting to 149.154.167.51:80/TCPFull with session <session>");
  });
});
