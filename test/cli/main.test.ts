import { chmodSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURE, run, tempDir } from "./helpers.js";

const EXPORT = `export:${FIXTURE}`;

describe("help", () => {
  it("tgrelay --help and every command's --help exit 0 with usage and examples", async () => {
    const top = await run(["--help"]);
    expect(top.code).toBe(0);
    for (const c of ["copy", "plan", "status", "retry", "login", "accounts", "demo"]) {
      expect(top.stdout).toContain(`tgrelay ${c}`);
      const r = await run([c, "--help"]);
      expect(r.code, c).toBe(0);
      expect(r.stdout).toContain("Examples:");
      expect(r.stderr).toBe("");
    }
    const copy = await run(["copy", "--help"]);
    for (const flag of ["--from", "--to", "--mode", "--skip-protected", "--from-id", "--to-id", "--since", "--until", "--kind",
      "--min-size", "--max-size", "--text", "--hashtag", "--concurrency", "--budget", "--order", "--delay", "--emulator", "--silent",
      "--drop-captions", "--caption-template", "--replace", "--json", "--log-file", "--config", "--accounts"]) {
      expect(copy.stdout, flag).toContain(flag);
    }
    expect(copy.stdout).not.toContain("--api-hash ");
  });
  it("--version prints package.json's version", async () => {
    const r = await run(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

/** Each case: args (a dir: target is appended unless given), env, expected message. */
describe("every bad value: one line on stderr, exit 2, nothing read or sent", () => {
  const cases: Array<[string, string[], RegExp, NodeJS.ProcessEnv?]> = [
    ["no command", [], /Give a command/],
    ["unknown command", ["cp"], /Unknown argument|Did you mean/],
    ["unknown flag", ["copy", "--from", EXPORT, "--frum", "x"], /Unknown argument/],
    ["no --from", ["copy", "--to", "dir:OUT"], /needs --from/],
    ["no --to", ["copy", "--from", EXPORT], /at least one --to/],
    ["bad username", ["copy", "--from", "@ab", "--to", "dir:OUT"], /--from "@ab": not a valid @username/],
    ["invite link", ["copy", "--from", "https://t.me/+abcdef", "--to", "dir:OUT"], /invite links/],
    ["bare id", ["copy", "--from", "12345", "--to", "dir:OUT"], /-100 prefix/],
    ["export as target", ["copy", "--from", EXPORT, "--to", "export:/tmp"], /only be read/],
    ["target twice", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--to", "dir:OUT"], /given twice/],
    ["range reversed", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--from-id", "20", "--to-id", "10"], /--from-id 20 is after --to-id 10/],
    ["id not a number", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--from-id", "ten"], /--from-id "ten": expected a message id/],
    ["bad date", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--since", "yesterday"], /--since "yesterday": expected a date/],
    ["dates reversed", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--since", "2024-02-01", "--until", "2024-01-01"], /--since 2024-02-01 is after --until/],
    ["bad size", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--max-size", "big"], /--max-size "big": expected a size/],
    ["sizes reversed", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--min-size", "2MB", "--max-size", "1MB"], /larger than --max-size/],
    ["budget too small", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--budget", "10KB"], /at least 1MB/],
    ["bad regex", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--text", "(oops"], /--text "\(oops": not a valid regex/],
    ["bad --replace", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--replace", "nothing"], /--replace "nothing": .*no "="/],
    ["bad template var", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--caption-template", "{author}"], /unknown variable \{author\}/],
    ["unclosed bold", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--caption-template", "**x"], /not closed/],
    ["bad mode", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--mode", "fast"], /--mode "fast": expected one of auto, forward, copy, reupload/],
    ["bad order", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--order", "random"], /--order "random"/],
    ["concurrency 0", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--concurrency", "0"], /--concurrency "0": expected a whole number from 1 to 32/],
    ["concurrency 99", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--concurrency", "99"], /from 1 to 32/],
    ["bad delay", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--delay", "a bit"], /--delay "a bit": expected a duration/],
    ["bad chunk", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--chunk", "0"], /--chunk "0": expected a whole number from 1 to 10000/],
    ["huge chunk", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--chunk", "20000"], /--chunk "20000"/],
    ["kind in both lists", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--kind", "photo", "--skip-kind", "photo"], /both name photo/],
    ["unknown kind", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--kind", "pics"], /unknown kind/],
    ["bad hashtag", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--hashtag", "a b"], /expected a hashtag/],
    ["drop + replace", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--drop-captions", "--replace", "a=b"], /--drop-captions and --replace/],
    ["forward + edits", ["copy", "--from", "@source_chan", "--to", "@target_chan", "--mode", "forward", "--drop-captions"], /--mode forward cannot change captions/],
    ["forward from export", ["copy", "--from", EXPORT, "--to", "@target_chan", "--mode", "forward"], /needs a Telegram source/],
    ["caption overflow", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--caption-overflow", "wrap"], /--caption-overflow "wrap"/],
    ["bad progress", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--progress", "fancy"], /--progress "fancy"/],
    ["bad log level", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--log-level", "loud"], /--log-level "loud"/],
    ["log folder missing", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--log-file", "/no/such/dir/x.log"], /folder \/no\/such\/dir does not exist/],
    ["bad job id", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--job", "a b"], /--job "a b"/],
    ["no api id", ["copy", "--from", "@source_chan", "--to", "@target_chan"], /no api_id/],
    ["no api hash", ["copy", "--from", "@source_chan", "--to", "@target_chan", "--api-id", "123"], /no api_hash/],
    ["bad api id", ["copy", "--from", "@source_chan", "--to", "@target_chan", "--api-id", "abc"], /--api-id "abc"/],
    ["bad api hash", ["copy", "--from", "@source_chan", "--to", "@target_chan", "--api-id", "123"], /api_hash must be 32 hexadecimal/, { TGRELAY_API_HASH: "secret-not-hex" }],
    ["no sessions", ["copy", "--from", "@source_chan", "--to", "@target_chan", "--api-id", "123", "--sessions", "SESS"], /no accounts: no session files/, { TGRELAY_API_HASH: "0123456789abcdef0123456789abcdef" }],
    ["emulator world missing", ["copy", "--from", "@source_chan", "--to", "@target_chan", "--emulator", "/no/world.json"], /no emulated world/],
    ["bad env boolean", ["copy", "--from", EXPORT, "--to", "dir:OUT"], /TGRELAY_SILENT="maybe": expected true or false/, { TGRELAY_SILENT: "maybe" }],
    ["bad env value names env", ["copy", "--from", EXPORT, "--to", "dir:OUT"], /--concurrency "x" \(from TGRELAY_CONCURRENCY\)/, { TGRELAY_CONCURRENCY: "x" }],
    ["missing --config", ["copy", "--from", EXPORT, "--to", "dir:OUT", "--config", "nope.json"], /--config "nope.json": no such file/],
    ["flag given twice", ["copy", "--from", EXPORT, "--from", EXPORT, "--to", "dir:OUT"], /--from is given 2 times/],
    ["status job missing", ["status", "--job", "abc"], /no such file/],
    ["status --from @name", ["status", "--from", "@source_chan"], /status --from @source_chan: .*-100 ids and dir:PATH only/],
    ["status --to @name", ["status", "--to", "@target_chan"], /status --to @target_chan: .*-100 ids and dir:PATH only/],
    ["login without account", ["login"], /login needs an account name/],
  ];
  it.each(cases)("%s", async (_name, args, message, env) => {
    const cwd = tempDir();
    const out = join(cwd, "OUT");
    const argv = args.map((a) => a.replace("dir:OUT", `dir:${out}`).replace("SESS", join(cwd, "sessions")));
    const r = await run(argv, { cwd, env: env ?? {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^tgrelay: /);
    expect(r.stdout).toBe("");
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(cwd).filter((f) => f !== "sessions")).toEqual([]);
  });

  it("secrets never show: the api hash is not in the message, a secret in the config file is refused", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "tgrelay.config.json"), JSON.stringify({ apiId: 1, apiHash: "0123456789abcdef0123456789abcdef" }));
    const r = await run(["copy", "--from", "@source_chan", "--to", "@target_chan"], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"apiHash" is a secret and is not read from the config file; use TGRELAY_API_HASH/);
    expect(r.stderr).not.toContain("0123456789abcdef0123456789abcdef");
  });

  it("a session file readable by others is refused", async () => {
    const cwd = tempDir();
    const sessions = join(cwd, "sessions");
    await import("node:fs").then((fs) => fs.mkdirSync(sessions));
    writeFileSync(join(sessions, "alice.session"), "1AbCdEf-session-string");
    chmodSync(join(sessions, "alice.session"), 0o644);
    const env = { TGRELAY_API_HASH: "0123456789abcdef0123456789abcdef", TGRELAY_API_ID: "123", TGRELAY_SESSIONS: sessions };
    const r = await run(["copy", "--from", "@source_chan", "--to", "@target_chan"], { cwd, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/can be read by others \(mode 644\); run chmod 600/);
    expect(r.stderr).not.toContain("1AbCdEf");
  });

  it("the config file: unknown keys, wrong types and bad JSON are errors naming the file", async () => {
    for (const [content, re] of [
      ["{\"mdoe\": \"auto\"}", /tgrelay.config.json: unknown key "mdoe"/],
      ["{\"silent\": \"yes\"}", /"silent" must be true or false/],
      ["{nope", /not valid JSON/],
      ["[1]", /expected a JSON object/],
    ] as const) {
      const cwd = tempDir();
      writeFileSync(join(cwd, "tgrelay.config.json"), content);
      const r = await run(["plan", "--from", EXPORT, "--to", `dir:${join(cwd, "o")}`], { cwd });
      expect(r.code, content).toBe(2);
      expect(r.stderr).toMatch(re);
    }
  });
});

describe("a config file saved with a byte order mark", () => {
  it("is read like one without", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "tgrelay.config.json"), "\uFEFF" + JSON.stringify({ mdoe: "auto" }));
    const r = await run(["plan", "--from", EXPORT, "--to", `dir:${join(cwd, "o")}`], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tgrelay.config.json: unknown key "mdoe"/); // parsed: the BOM did not stop it
  });
});

describe("precedence: flags > env > config file", () => {
  // --mode forward is refused for an export source: whichever source wins is visible in the exit code.
  const setup = (fileMode: string) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "tgrelay.config.json"), JSON.stringify({ mode: fileMode, concurrency: 2 }));
    return { cwd, argv: ["plan", "--from", EXPORT, "--to", `dir:${join(cwd, "out")}`, "--emulator", "x"].slice(0, 5) };
  };
  it("the config file applies when nothing else says", async () => {
    const { cwd, argv } = setup("forward");
    const r = await run([...argv, "--to", "@target_chan", "--emulator", join(cwd, "none")], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--mode forward needs a Telegram source/);
  });
  it("env beats the file, and the error names the env variable", async () => {
    const { cwd, argv } = setup("auto");
    const r = await run(argv, { cwd, env: { TGRELAY_MODE: "sideways" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--mode "sideways" \(from TGRELAY_MODE\)/);
    const file = setup("sideways");
    const ok = await run(file.argv, { cwd: file.cwd, env: { TGRELAY_MODE: "reupload" } });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
  });
  it("a flag beats env and file", async () => {
    const { cwd, argv } = setup("sideways");
    const r = await run([...argv, "--mode", "reupload"], { cwd, env: { TGRELAY_MODE: "sideways" } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
  it("a bad value in the file names the file", async () => {
    const { cwd, argv } = setup("sideways");
    const r = await run(argv, { cwd });
    expect(r.stderr).toMatch(/--mode "sideways" \(from .*tgrelay.config.json\)/);
  });
  it("--config points at another file; TGRELAY_CONFIG too", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "other.json"), JSON.stringify({ order: "sideways" }));
    const argv = ["plan", "--from", EXPORT, "--to", `dir:${join(cwd, "out")}`];
    expect((await run([...argv, "--config", "other.json"], { cwd })).stderr).toMatch(/other.json/);
    expect((await run(argv, { cwd, env: { TGRELAY_CONFIG: "other.json" } })).stderr).toMatch(/other.json/);
  });
});
