/**
 * Every option of every command, in one table: the flag, its env variable, its config-file key, and the
 * help text. The yargs builders, the env and config readers and the help all come from this table, so a
 * new option is one line here (plus its validation in resolve.ts).
 */
export type CommandName = "copy" | "plan" | "status" | "retry" | "login" | "accounts" | "demo";

export const COMMANDS: readonly CommandName[] = ["copy", "plan", "status", "retry", "login", "accounts", "demo"];

export interface OptionDef {
  /** The flag, kebab-case, without dashes. */
  readonly name: string;
  readonly type: "string" | "boolean" | "array";
  readonly describe: string;
  readonly commands: readonly CommandName[];
  readonly group: string;
  readonly alias?: string;
  /** Never a flag (would show in `ps`): env or config file only. */
  readonly noFlag?: boolean;
  /** Only from env or a 0600 file; never from the config file, never logged. */
  readonly secret?: boolean;
}

const JOB: readonly CommandName[] = ["copy", "plan", "retry"];
const RUN: readonly CommandName[] = ["copy", "plan", "retry", "status"];
const TELEGRAM: readonly CommandName[] = ["copy", "plan", "retry", "status", "login", "accounts"];
const ALL: readonly CommandName[] = COMMANDS;

const G_JOB = "What to copy:";
const G_FILTER = "Filters (an album is kept whole if any item passes):";
const G_CAPTION = "Caption edits (entities stay on their characters):";
const G_PERF = "Speed and order:";
const G_ACCOUNT = "Accounts and Telegram:";
const G_OUTPUT = "Output:";

export const OPTIONS: readonly OptionDef[] = [
  // What to copy
  { name: "from", type: "string", group: G_JOB, commands: [...JOB, "status"], describe: "Source: @username, t.me/name, t.me/c/ID, -100ID, export:PATH (Telegram Desktop or tdl export) or dir:PATH (a tgrelay archive)" },
  { name: "to", type: "array", group: G_JOB, commands: [...JOB, "status"], describe: "Target, repeatable: a chat (as --from) or dir:PATH (a local archive folder)" },
  { name: "chat", type: "string", group: G_JOB, commands: JOB, describe: "The chat of a whole-account export:PATH (its name or id) or of a dir:PATH archive of several chats (its id or folder name)" },
  { name: "missing", type: "string", group: G_JOB, commands: JOB, describe: "export: posts whose file is not in the export: text (send the text alone) or skip [default: text]" },
  { name: "absent", type: "string", group: G_JOB, commands: JOB, describe: "export: a file the export names but that is not on disk: error, or missing (treated as --missing says) [default: error]" },
  { name: "verify", type: "boolean", group: G_JOB, commands: JOB, describe: "dir: source: check each archived file's SHA-256 before it is sent" },
  { name: "mode", type: "string", group: G_JOB, commands: JOB, describe: "auto (forward/copy where allowed, reupload where protected), forward, copy or reupload [default: auto]" },
  { name: "skip-protected", type: "boolean", group: G_JOB, commands: JOB, describe: "Skip protected (noforwards) posts instead of re-uploading them" },
  { name: "from-id", type: "string", group: G_JOB, commands: JOB, describe: "First message id, inclusive (an album cut by the range is widened to whole)" },
  { name: "to-id", type: "string", group: G_JOB, commands: JOB, describe: "Last message id, inclusive" },
  { name: "since", type: "string", group: G_JOB, commands: JOB, describe: "Posts from this date on: YYYY-MM-DD or YYYY-MM-DDTHH:MM[Z|+HH:MM] (UTC without a zone)" },
  { name: "until", type: "string", group: G_JOB, commands: JOB, describe: "Posts up to this date, inclusive (a plain date includes that whole day)" },
  { name: "silent", type: "boolean", group: G_JOB, commands: JOB, describe: "Send without notification" },
  { name: "journal", type: "string", group: G_JOB, commands: RUN, describe: "SQLite journal file: what is delivered where (resume, retry, status) [default: tgrelay.db]" },
  { name: "job", type: "string", group: G_JOB, commands: RUN, describe: "Job id in the journal [default: derived from --from and --to]" },
  // Filters
  { name: "kind", type: "array", group: G_FILTER, commands: JOB, describe: "Only these kinds: text, photo, video, document, audio, voice, videoNote, animation, sticker, poll (comma separated or repeated)" },
  { name: "skip-kind", type: "array", group: G_FILTER, commands: JOB, describe: "Skip these kinds" },
  { name: "min-size", type: "string", group: G_FILTER, commands: JOB, describe: "Skip media smaller than this (e.g. 100KB)" },
  { name: "max-size", type: "string", group: G_FILTER, commands: JOB, describe: "Skip media larger than this (e.g. 2GB)" },
  { name: "text", type: "string", group: G_FILTER, commands: JOB, describe: "Only posts whose text matches this regex (/.../i for case-insensitive)" },
  { name: "not-text", type: "string", group: G_FILTER, commands: JOB, describe: "Skip posts whose text matches this regex" },
  { name: "hashtag", type: "array", group: G_FILTER, commands: JOB, describe: "Only posts with one of these hashtags (repeatable)" },
  // Captions
  { name: "drop-captions", type: "boolean", group: G_CAPTION, commands: JOB, describe: "Send media without captions" },
  { name: "caption-template", type: "string", group: G_CAPTION, commands: JOB, describe: "Caption template: {text} {id} {date} {time} {datetime} {link} {file_name} {size} {size_bytes} {kind} {chat}; **bold** __italic__ ~~strike~~ ||spoiler|| `code` [label](url); \\n newline" },
  { name: "replace", type: "array", group: G_CAPTION, commands: JOB, describe: "Regex replacement FROM=TO or /FROM/i=TO, repeatable, applied in order ($1 in TO)" },
  { name: "caption-overflow", type: "string", group: G_CAPTION, commands: JOB, describe: "A caption over Telegram's limit: split (rest as a text message), truncate or fail [default: split]" },
  // Speed
  { name: "concurrency", type: "string", group: G_PERF, commands: JOB, describe: "Batches downloading at once per account (1-32) [default: 4]" },
  { name: "budget", type: "string", group: G_PERF, commands: JOB, describe: "Bytes downloaded but not yet sent, per account (e.g. 256MB) [default: 256MB]" },
  { name: "order", type: "string", group: G_PERF, commands: JOB, describe: "strict (targets get posts in source order across accounts) or relaxed [default: strict]" },
  { name: "delay", type: "string", group: G_PERF, commands: JOB, describe: "Pause between sends (500ms, 2s; a bare number is seconds) [default: 0]" },
  { name: "chunk", type: "string", group: G_PERF, commands: JOB, describe: "Ids per work chunk the accounts pull from one queue (1-10000) [default: 1 in strict order, 100 relaxed]" },
  // Accounts
  { name: "accounts", type: "array", group: G_ACCOUNT, commands: [...JOB, "accounts"], describe: "Accounts to use, by name (comma separated or repeated) [default: all configured]" },
  { name: "account", type: "string", group: G_ACCOUNT, commands: ["login"], describe: "Name of the account to log in (names its session file)" },
  { name: "bot", type: "boolean", group: G_ACCOUNT, commands: ["login"], describe: "Log in a bot with the token in env TGRELAY_BOT_TOKEN (asked when missing); bots can post into targets but not read history" },
  { name: "phone", type: "string", group: G_ACCOUNT, commands: ["login"], describe: "Phone number in international format (+15551234567); asked when missing" },
  { name: "sessions", type: "string", group: G_ACCOUNT, commands: TELEGRAM, describe: "Folder of session files, one NAME.session per account, mode 0600 [default: ~/.tgrelay/sessions]" },
  { name: "api-id", type: "string", group: G_ACCOUNT, commands: TELEGRAM, describe: "Your api_id from my.telegram.org" },
  { name: "api-hash", type: "string", group: G_ACCOUNT, commands: TELEGRAM, noFlag: true, secret: true, describe: "api_hash: env TGRELAY_API_HASH only" },
  { name: "api-hash-file", type: "string", group: G_ACCOUNT, commands: TELEGRAM, describe: "File holding the api_hash, mode 0600" },
  { name: "emulator", type: "string", group: G_ACCOUNT, commands: TELEGRAM, describe: "Run against the emulated Telegram world persisted at this path (tests, demo): no network, no credentials" },
  { name: "check", type: "boolean", group: G_ACCOUNT, commands: ["accounts"], describe: "Connect to each account and show whether it is reachable" },
  // Output
  { name: "json", type: "boolean", group: G_OUTPUT, commands: ALL, describe: "Write the event stream to stdout as JSON Lines (no progress display)" },
  { name: "progress", type: "string", group: G_OUTPUT, commands: ["copy", "retry", "demo"], describe: "auto (bars on a TTY, lines otherwise), bars, lines or none [default: auto]" },
  { name: "log-level", type: "string", group: G_OUTPUT, commands: ALL, describe: "fatal, error, warn, info, debug or trace [default: warn, info with --log-file]" },
  { name: "log-file", type: "string", group: G_OUTPUT, commands: ALL, describe: "Write logs (JSON) to this file instead of stderr" },
  { name: "config", type: "string", group: G_OUTPUT, commands: ALL, describe: "Config file [default: ./tgrelay.config.json when it exists]" },
  { name: "keep", type: "string", group: G_JOB, commands: ["demo"], describe: "Put the demo world and archive in this folder instead of a temp folder" },
];

/** camelCase key of an option (also its config-file key). */
export function keyOf(name: string): string {
  return name.replace(/-([a-z])/gu, (_, c: string) => c.toUpperCase());
}

/** The env variable of an option: TGRELAY_ + upper snake case. */
export function envOf(name: string): string {
  return `TGRELAY_${name.replace(/-/gu, "_").toUpperCase()}`;
}

/** The options of one command. */
export function optionsOf(command: CommandName): OptionDef[] {
  return OPTIONS.filter((o) => o.commands.includes(command));
}

/** The option of a config-file key (camelCase or kebab-case). */
export function optionByKey(key: string): OptionDef | undefined {
  return OPTIONS.find((o) => keyOf(o.name) === key || o.name === key);
}
