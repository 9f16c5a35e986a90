/**
 * The commands: their help (usage, description, examples) and the dispatch to each command's run().
 */
import type { RawOptions } from "../config.js";
import type { CliIo } from "../io.js";
import type { CommandName } from "../options.js";

/** What a command gets: the process, the merged raw options, and secrets to keep out of messages. */
export interface CommandContext {
  readonly io: CliIo;
  readonly raw: RawOptions;
  readonly configPath?: string;
  readonly secrets: readonly string[];
}

export interface CommandHelp {
  readonly usage: string;
  readonly describe: string;
  readonly examples: ReadonlyArray<readonly [string, string]>;
  readonly epilog?: string;
}

export const COMMAND_HELP: Readonly<Record<CommandName, CommandHelp>> = {
  copy: {
    usage: "copy",
    describe: "Copy a channel's history to channels and/or archive folders (resumes where it stopped)",
    examples: [
      ["tgrelay copy --from @source --to @target", "Copy everything, albums whole, in order"],
      ["tgrelay copy --from https://t.me/c/1234567890 --to -1009876543210 --to dir:./backup", "A private channel to a channel and a local archive"],
      ["tgrelay copy --from @src --to @dst --accounts alice,bob --from-id 1000 --to-id 2000", "Two accounts share an id range"],
      ["tgrelay copy --from @src --to @dst --kind photo,video --max-size 500MB --since 2024-01-01", "Only photos and videos up to 500 MB since 2024"],
      ["tgrelay copy --from @src --to @dst --caption-template '{text}\\n\\n**via** [source]({link})'", "Add a bold credit line with a link"],
      ["tgrelay copy --from @src --to @dst --replace '@oldname=@newname' --replace '/t\\.me\\/old/i=t.me/new'", "Rewrite captions, entities kept"],
      ["tgrelay copy --from export:./ChatExport_2024-05-01 --to dir:./archive", "A Telegram Desktop export into an archive folder (no account needed)"],
      ["tgrelay copy --emulator /tmp/world.json --from @demo_source --to @demo_target --accounts alice", "Against an emulated Telegram"],
    ],
    epilog: "Exit codes: 0 all delivered, 1 some posts failed (listed; tgrelay retry sends them again), 2 usage or configuration error, 130 interrupted (run the same command again to resume).\n" +
      "Ctrl-C once: finish the batch being sent, record it, exit 130. Twice: stop at once (the journal keeps what was sent).",
  },
  plan: {
    usage: "plan",
    describe: "Dry run: posts, albums, chunks, the strategy of each post and why, sizes, what is skipped. Reads only, sends nothing",
    examples: [
      ["tgrelay plan --from @source --to @target", "What copy would do"],
      ["tgrelay plan --from @src --to @dst --skip-protected --json", "The plan as JSON Lines, one line per batch"],
    ],
  },
  status: {
    usage: "status",
    describe: "Jobs in the journal: delivered, skipped, in flight and failed, per target",
    examples: [
      ["tgrelay status", "Every job of ./tgrelay.db"],
      ["tgrelay status --from -1001234567890 --to dir:./archive", "The jobs of this source and target (-100 ids and dir: only: status reads no chat)"],
      ["tgrelay status --job 3f2a9c0d1e4b5a67", "One job, by the id status lists"],
      ["tgrelay status --journal ~/backups/tgrelay.db --json", "As JSON"],
    ],
  },
  retry: {
    usage: "retry",
    describe: "Send again the posts that failed in a job (same options as copy)",
    examples: [
      ["tgrelay retry --from @src --to @dst", "Retry what failed in the last copy of @src to @dst"],
      ["tgrelay retry --job 3f2a9c0d1e4b5a67", "Retry a job by its id (tgrelay status): source, targets and options come from the journal"],
    ],
  },
  login: {
    usage: "login [account]",
    describe: "Log an account in and save its session file (mode 0600)",
    examples: [
      ["TGRELAY_API_HASH=... tgrelay login alice --api-id 123456 --phone +15551234567", "Asks for the code (and the 2FA password)"],
      ["TGRELAY_BOT_TOKEN=123:abc tgrelay login poster --bot", "A bot account, to post into targets (bots cannot read history)"],
    ],
    epilog: "Get api_id and api_hash at https://my.telegram.org (API development tools). The session file is a full login: keep it private.",
  },
  accounts: {
    usage: "accounts",
    describe: "The configured accounts: who, home DC, premium, reachable",
    examples: [
      ["tgrelay accounts", "List the session files"],
      ["tgrelay accounts --check", "Connect to each and show who it is"],
    ],
  },
  demo: {
    usage: "demo",
    describe: "Copy a protected channel in an emulated Telegram to a channel and an archive, then compare (no network, no credentials)",
    examples: [
      ["tgrelay demo", "Run it in a temp folder"],
      ["tgrelay demo --keep ./demo-out", "Keep the world and the archive in ./demo-out"],
    ],
  },
};

/** Run one command; returns the exit code. */
export async function runCommand(name: CommandName, ctx: CommandContext): Promise<number> {
  switch (name) {
    case "copy": return (await import("./copy.js")).runCopy(ctx, "copy");
    case "retry": return (await import("./copy.js")).runCopy(ctx, "retry");
    case "plan": return (await import("./plan.js")).runPlan(ctx);
    case "status": return (await import("./status.js")).runStatus(ctx);
    case "login": return (await import("./login.js")).runLogin(ctx);
    case "accounts": return (await import("./accounts.js")).runAccounts(ctx);
    case "demo": return (await import("./demo.js")).runDemo(ctx);
  }
}
