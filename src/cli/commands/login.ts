/** `tgrelay login`: log an account in and save its session file (mode 0600). */
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { UsageError } from "../../model/errors.js";
import { EXIT } from "../io.js";
import { createLogger } from "../logger.js";
import { connectClient, createClient, login, writeSession } from "../../telegram/index.js";
import { resolveAccounts, resolveCommon } from "../resolve.js";
import { parseAccountName } from "../values.js";
import type { CommandContext } from "./index.js";

/** Ask one question on the terminal; `secret` hides what is typed. */
export function ask(ctx: CommandContext, question: string, secret = false): Promise<string> {
  let muted = false;
  const out = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) ctx.io.stderr.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: ctx.io.stdin, output: out, terminal: Boolean(ctx.io.stdin.isTTY) });
  return new Promise((resolve, reject) => {
    rl.question(question, (answer) => {
      rl.close();
      if (secret) ctx.io.stderr.write("\n");
      resolve(answer.trim());
    });
    rl.on("close", () => reject(new UsageError("login cancelled")));
    muted = secret;
  });
}

/** Log in with phone, code and (if set) the 2FA password; the session string goes to SESSIONS/NAME.session. */
export async function runLogin(ctx: CommandContext): Promise<number> {
  const common = resolveCommon(ctx.raw, ctx.configPath, ctx.io.cwd);
  const nameRaw = ctx.raw.get("account")?.value;
  if (nameRaw === undefined) throw new UsageError("login needs an account name: tgrelay login NAME (it names the session file)");
  const name = parseAccountName("account", String(nameRaw));
  const accounts = resolveAccounts(ctx.raw, ctx.io.env, false, ctx.io.cwd);
  if (accounts.kind === "emulator") throw new UsageError("login is for real Telegram; an emulated world's accounts need no login");
  const phoneRaw = ctx.raw.get("phone")?.value as string | undefined;
  const bot = ctx.raw.get("bot")?.value === true;
  if (bot && phoneRaw !== undefined) throw new UsageError("--bot and --phone exclude each other: a bot logs in with its token");
  if (phoneRaw !== undefined && !/^\+\d{7,15}$/u.test(phoneRaw.replace(/[\s-]/gu, ""))) {
    throw new UsageError(`--phone ${JSON.stringify(phoneRaw)}: expected + and 7-15 digits, e.g. +15551234567`);
  }
  const { logger, close } = createLogger({ level: common.logLevel, ...(common.logFile ? { file: common.logFile } : {}), stderr: ctx.io.stderr });
  try {
    const client = createClient({ session: "", apiId: accounts.apiId, apiHash: accounts.apiHash, logger });
    await connectClient(client, name, 30_000).catch((e: unknown) => {
      // A fresh client is not authorized yet: only a failed connection matters here.
      if ((e as Error).name === "AccountDead") return;
      throw e;
    });
    const botToken = bot ? (ctx.io.env.TGRELAY_BOT_TOKEN || (await ask(ctx, "Bot token (from @BotFather): ", true))) : undefined;
    if (botToken !== undefined && !/^\d+:[A-Za-z0-9_-]{20,}$/u.test(botToken)) throw new UsageError("the bot token does not look like 123456:ABC... (from @BotFather)");
    const session = await login(client, botToken !== undefined ? { botToken } : {
      phone: async () => phoneRaw?.replace(/[\s-]/gu, "") ?? (await ask(ctx, "Phone number (+15551234567): ")),
      code: () => ask(ctx, "The code Telegram sent: "),
      password: (hint) => ask(ctx, `2FA password${hint ? ` (hint: ${hint})` : ""}: `, true),
    });
    const path = await writeSession(accounts.sessions, name, session);
    await client.disconnect().catch(() => {});
    ctx.io.stdout.write(`Logged in; session saved as ${path} (mode 0600).\n`);
    return EXIT.ok;
  } finally {
    await close();
  }
}
