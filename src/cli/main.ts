/**
 * tgrelay's command line. yargs parses flags and prints help; everything else (env, config file, validation)
 * is ours, so precedence is exact and every bad value is one line and exit code 2, before anything is read
 * or sent. Commands are thin: they resolve settings and call the library.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import yargs, { type Argv } from "yargs";
import { TgRelayError, UsageError } from "../model/errors.js";
import { loadConfigFile, mergeSources, type ConfigFile } from "./config.js";
import { EXIT, processIo, type CliIo } from "./io.js";
import { COMMANDS, keyOf, optionsOf, type CommandName } from "./options.js";
import { COMMAND_HELP, runCommand } from "./commands/index.js";
import { scrub, SECRETS } from "./secrets.js";

/** The version in package.json (two folders above this file, in src/ and in dist/). */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

function define(y: Argv, command: CommandName): Argv {
  for (const def of optionsOf(command)) {
    if (def.noFlag) continue;
    y.option(def.name, {
      type: def.type,
      describe: def.describe,
      group: def.group,
      ...(def.alias ? { alias: def.alias } : {}),
      ...(def.type === "array" ? { string: true } : {}),
      ...(def.type === "string" ? { requiresArg: true } : {}),
    });
  }
  for (const [cmd, text] of COMMAND_HELP[command].examples) y.example(cmd, text);
  if (COMMAND_HELP[command].epilog) y.epilog(COMMAND_HELP[command].epilog!);
  return y;
}

interface Parsed {
  command?: CommandName;
  flags: Record<string, unknown>;
  output: string;
  error?: Error;
}

async function parse(argv: readonly string[], io: CliIo): Promise<Parsed> {
  const result: Parsed = { flags: {}, output: "" };
  const y = yargs([...argv])
    .scriptName("tgrelay")
    .usage("tgrelay copies Telegram channel history to channels or a local archive: albums whole, order kept, exactly once, resumable.\n\nUsage: $0 <command> [options]")
    .exitProcess(false)
    .strict()
    .parserConfiguration({ "camel-case-expansion": true, "boolean-negation": true, "duplicate-arguments-array": true, "parse-numbers": false, "parse-positional-numbers": false })
    .wrap(Math.min(120, io.stdout.columns ?? 100))
    .help("help", "Show help")
    .alias("help", "h")
    .version("version", "Show the version", packageVersion())
    .demandCommand(1, "Give a command: copy, plan, status, retry, login, accounts or demo")
    .recommendCommands();
  for (const name of COMMANDS) {
    const help = COMMAND_HELP[name];
    y.command(help.usage, help.describe, (b) => define(b, name), (args) => {
      result.command = name;
      result.flags = args as Record<string, unknown>;
    });
  }
  y.example("tgrelay demo", "Copy a generated protected channel in an emulated Telegram (no network, no credentials)");
  y.example("tgrelay plan --from @src --to @dst", "Show what a copy would do, sending nothing");
  y.example("tgrelay copy --from @src --to @dst --to dir:backup", "Copy a channel to a channel and an archive folder");
  y.epilog("Exit codes: 0 all delivered, 1 some posts failed (tgrelay retry picks them up), 2 usage or configuration error, 130 interrupted.");
  await new Promise<void>((done) => {
    y.parse([...argv], {}, (err, _args, output) => {
      if (err) result.error = err;
      result.output = output ?? "";
      done();
    });
  });
  return result;
}

/**
 * yargs names an unknown --some-flag twice, as typed and camel-cased ("Unknown arguments: some-flag,
 * someFlag"): name it once, as typed.
 */
export function unknownOnce(message: string): string {
  const m = /^Unknown arguments?: (.*)$/u.exec(message);
  if (!m) return message;
  const names = m[1]!.split(", ");
  const camel = (n: string) => n.replace(/-([a-z0-9])/gu, (_, c: string) => c.toUpperCase());
  const typed = new Set(names.filter((n) => n.includes("-")).map(camel));
  const once = names.filter((n) => n.includes("-") || !typed.has(n));
  return `Unknown argument${once.length > 1 ? "s" : ""}: ${once.join(", ")}`;
}

/** Read config file and env for the chosen command; throws UsageError. */
function settingsSources(command: CommandName, flags: Record<string, unknown>, io: CliIo): { file?: ConfigFile; raw: ReturnType<typeof mergeSources> } {
  const explicit = flags[keyOf("config")] as string | undefined ?? io.env.TGRELAY_CONFIG;
  const file = loadConfigFile(explicit, io.cwd);
  return { ...(file ? { file } : {}), raw: mergeSources(command, flags, io.env, file) };
}

/** The secrets known from env, to scrub them from any message. */
function knownSecrets(io: CliIo): string[] {
  return Object.entries(io.env).filter(([k]) => k === "TGRELAY_API_HASH" || k.startsWith("TGRELAY_SESSION_") || k === "TGRELAY_BOT_TOKEN").map(([, v]) => v ?? "");
}

/**
 * Run tgrelay with these arguments (without "node" and the script).
 * @returns the exit code: 0 all delivered, 1 some failed, 2 usage error, 130 interrupted
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const secrets = knownSecrets(io);
  const all = (): string[] => [...secrets, ...SECRETS];
  const usage = (message: string): number => {
    io.stderr.write(`tgrelay: ${scrub(message, all()).split("\n")[0]}\n`);
    return EXIT.usage;
  };
  let parsed: Parsed;
  try {
    parsed = await parse(argv, io);
  } catch (e) {
    return usage((e as Error).message);
  }
  if (parsed.error) {
    const cmd = parsed.command ?? COMMANDS.find((c) => argv[0] === c);
    return usage(`${unknownOnce(parsed.error.message)}${cmd ? ` (see tgrelay ${cmd} --help)` : " (see tgrelay --help)"}`);
  }
  if (!parsed.command) {
    // --help (or nothing to do): yargs put the text in output.
    if (parsed.output) io.stdout.write(`${parsed.output}\n`);
    return EXIT.ok;
  }
  if (parsed.output) {
    io.stdout.write(`${parsed.output}\n`);
    return EXIT.ok;
  }
  try {
    const { file, raw } = settingsSources(parsed.command, parsed.flags, io);
    return await runCommand(parsed.command, { io, raw, ...(file ? { configPath: file.path } : {}), secrets });
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message);
    const message = e instanceof TgRelayError ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    io.stderr.write(`tgrelay: ${scrub(message, all())}\n`);
    return EXIT.failed;
  }
}
