/** `tgrelay accounts`: the configured accounts, and with --check who they are and whether they answer. */
import { EXIT } from "../io.js";
import { createLogger } from "../logger.js";
import { toJson } from "../progress.js";
import { openAccounts } from "../providers.js";
import { resolveAccounts, resolveCommon } from "../resolve.js";
import type { CommandContext } from "./index.js";

export interface AccountRow {
  readonly type: "account";
  readonly name: string;
  readonly reachable?: boolean;
  readonly id?: string;
  readonly dc?: number;
  readonly premium?: boolean;
  readonly bot?: boolean;
  readonly error?: string;
}

/** List the accounts; --check connects to each (one at a time) and reports who it is. */
export async function runAccounts(ctx: CommandContext): Promise<number> {
  const common = resolveCommon(ctx.raw, ctx.configPath, ctx.io.cwd);
  const settings = resolveAccounts(ctx.raw, ctx.io.env, ctx.raw.get("check")?.value === true, ctx.io.cwd);
  const check = ctx.raw.get("check")?.value === true || settings.kind === "emulator";
  const rows: AccountRow[] = [];
  if (!check) {
    for (const name of settings.accounts) rows.push({ type: "account", name });
  } else {
    const { logger, close } = createLogger({ level: common.logLevel, ...(common.logFile ? { file: common.logFile } : {}), stderr: ctx.io.stderr });
    try {
      const names = settings.accounts.length ? settings.accounts : [];
      const each = settings.kind === "emulator" && names.length === 0 ? [undefined] : names;
      for (const name of each) {
        try {
          const opened = await openAccounts(name === undefined ? settings : { ...settings, accounts: [name] }, logger, ctx.io.env);
          for (const h of opened.handles) {
            rows.push({ type: "account", name: h.name, reachable: true, ...(h.self ? { id: h.self.id, dc: h.self.dc, premium: h.self.premium, bot: h.self.bot } : {}) });
          }
          await opened.close();
        } catch (e) {
          rows.push({ type: "account", name: name ?? "?", reachable: false, error: (e as Error).message });
        }
      }
    } finally {
      await close();
    }
  }
  if (common.json) for (const r of rows) ctx.io.stdout.write(`${toJson(r)}\n`);
  else if (rows.length === 0) ctx.io.stdout.write(`No accounts: no session files in ${settings.kind === "telegram" ? settings.sessions : settings.world}. Run \`tgrelay login --account NAME\`.\n`);
  else {
    for (const r of rows) {
      const who = r.id !== undefined ? ` id ${r.id}, DC ${r.dc}, ${r.premium ? "premium" : "not premium"}${r.bot ? ", bot" : ""}` : "";
      const state = r.reachable === undefined ? "" : r.reachable ? " reachable" : ` NOT reachable: ${r.error}`;
      ctx.io.stdout.write(`${r.name}:${state}${who}\n`);
    }
  }
  return rows.some((r) => r.reachable === false) ? EXIT.failed : EXIT.ok;
}
