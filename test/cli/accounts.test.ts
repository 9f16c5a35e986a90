import { existsSync, mkdirSync, writeFileSync, chmodSync } from "node:fs";
import { checkSessionString } from "../../src/cli/secrets.js";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run, tempDir } from "./helpers.js";
import { makeWorld } from "./world.js";

const HASH = "0123456789abcdef0123456789abcdef";

describe("tgrelay accounts", () => {
  it("lists the session files without connecting and without api id/hash: name, path, permissions", async () => {
    const cwd = tempDir();
    const sessions = join(cwd, "sessions");
    mkdirSync(sessions);
    for (const n of ["bob", "alice"]) {
      writeFileSync(join(sessions, `${n}.session`), "1SECRETSESSIONBYTES");
      chmodSync(join(sessions, `${n}.session`), 0o600);
    }
    const r = await run(["accounts", "--sessions", sessions], { cwd });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`alice: ${join(sessions, "alice.session")}, permissions ok (0600)\nbob: ${join(sessions, "bob.session")}, permissions ok (0600)\n`);
    chmodSync(join(sessions, "bob.session"), 0o644);
    const open = await run(["accounts", "--sessions", sessions, "--json"], { cwd });
    expect(open.code).toBe(1);
    const rows = open.stdout.trim().split("\n").map((l) => JSON.parse(l) as { name: string; permissions: string; session: string });
    expect(rows.map((x) => [x.name, x.permissions])).toEqual([["alice", "ok"], ["bob", "open"]]);
    expect(open.stdout).not.toContain("SECRETSESSION");
    const text = await run(["accounts", "--sessions", sessions, "--accounts", "bob,carol"], { cwd });
    expect(text.stdout).toMatch(/^bob: .*bob\.session, readable by others \(mode 0644\): run chmod 600 /mu);
    expect(text.stdout).toMatch(/^carol: no session file .*carol\.session; run `tgrelay login carol`$/mu);
    const none = await run(["accounts", "--sessions", join(cwd, "empty")], { cwd });
    expect(none.stdout).toMatch(/No accounts: no session files in .*empty\. Run `tgrelay login NAME`/);
  });
  it("on an emulated world: who each account is, its home DC, premium, reachable (--json)", async () => {
    const w = makeWorld(2);
    const r = await run(["accounts", "--emulator", w.path, "--json"], { cwd: w.dir });
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { name: string; dc: number; premium: boolean; reachable: boolean });
    expect(rows.map((x) => [x.name, x.dc, x.premium, x.reachable])).toEqual([["alice", 2, true, true], ["bob", 4, true, true]]);
  });
});

describe("tgrelay login validation", () => {
  it("refuses a bad phone number and an emulated world before connecting", async () => {
    const bad = await run(["login", "--account", "alice", "--api-id", "5", "--phone", "12345"], { env: { TGRELAY_API_HASH: HASH } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--phone "12345": expected \+ and 7-15 digits/);
    const w = makeWorld(1);
    const emu = await run(["login", "--account", "alice", "--emulator", w.path], { cwd: w.dir });
    expect(emu.code).toBe(2);
    expect(emu.stderr).toMatch(/need no login/);
    const name = await run(["login", "--account", "../evil", "--api-id", "5"], { env: { TGRELAY_API_HASH: HASH } });
    expect(name.code).toBe(2);
    expect(name.stderr).toMatch(/--account "..\/evil"/);
  });

  it("takes the account name as a positional and refuses a bot with a phone", async () => {
    const positional = await run(["login", "../evil", "--api-id", "5"], { env: { TGRELAY_API_HASH: HASH } });
    expect(positional.code).toBe(2);
    expect(positional.stderr).toMatch(/--account "..\/evil"/);
    const both = await run(["login", "poster", "--bot", "--phone", "+15551234567", "--api-id", "5"], { env: { TGRELAY_API_HASH: HASH } });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--bot and --phone exclude each other/);
  });
});

/** A session string of the shape `tgrelay login` saves: "1" + base64(dc, IPv4, port, 256-byte key). */
function sessionString(dc = 2, ip = [149, 154, 167, 50], port = 443, keyBytes = 256): string {
  const b = Buffer.alloc(1 + 4 + 2 + keyBytes, 7);
  b.writeUInt8(dc, 0);
  Buffer.from(ip).copy(b, 1);
  b.writeInt16BE(port, 5);
  return "1" + b.toString("base64");
}

describe("damaged session strings", () => {
  it("are refused before anything connects: one line, exit 2, no journal, no session bytes shown", async () => {
    const good = sessionString();
    const cases: Array<[string, string]> = [
      ["cut short", good.slice(0, 40)],
      ["not base64", "1BQANOT*A*SESSION"],
      ["wrong version", "2" + good.slice(1)],
      ["no IP address", "1" + Buffer.concat([Buffer.from([2, 0, 9]), Buffer.from("not-an-ip"), Buffer.from([1, 187]), Buffer.alloc(256, 7)]).toString("base64")],
      ["short key", sessionString(2, [149, 154, 167, 50], 443, 100)],
    ];
    for (const [what, bad] of cases) {
      for (const via of ["env", "file"] as const) {
        const cwd = tempDir();
        const sessions = join(cwd, "sessions");
        mkdirSync(sessions);
        const env: Record<string, string> = { TGRELAY_API_HASH: HASH };
        if (via === "env") env.TGRELAY_SESSION_ALICE = bad;
        else {
          writeFileSync(join(sessions, "alice.session"), bad);
          chmodSync(join(sessions, "alice.session"), 0o600);
        }
        const r = await run(["copy", "--from", "@cli_source", "--to", "@cli_target", "--accounts", "alice", "--sessions", sessions, "--api-id", "5"], { cwd, env });
        expect(r.code, `${what} via ${via}`).toBe(2);
        expect(r.stderr.trim().split("\n"), `${what} via ${via}`).toHaveLength(1);
        expect(r.stderr).toMatch(/account alice: .*not a valid session string .*tgrelay login --account alice/);
        expect(r.stderr).not.toContain(bad.slice(1, 12));
        expect(r.stdout).toBe("");
        expect(existsSync(join(cwd, "tgrelay.db"))).toBe(false);
      }
    }
  });

  it("a well-formed session string passes the check", () => {
    const s = sessionString();
    expect(checkSessionString(s, "TGRELAY_SESSION_ALICE", "alice")).toBe(s);
    expect(() => checkSessionString(s.slice(0, -8), "TGRELAY_SESSION_ALICE", "alice")).toThrow(/not a valid session string/);
  });
});
