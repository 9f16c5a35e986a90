/** `tgrelay accounts`: the configured accounts, and with --check who they are and whether they answer. */
import { EXIT } from "../io.js";
import { createLogger } from "../logger.js";
import { toJson } from "../progress.js";
import { openAccounts } from "../providers.js";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { sessionEnvOf } from "../secrets.js";
import { resolveAccounts, resolveCommon, resolveSessionFiles } from "../resolve.js";
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
  /** Without --check: the session file, and whether only its owner can read it (mode 0600). */
  readonly session?: string;
  readonly permissions?: "ok" | "open" | "missing" | "env";
  readonly mode?: string;
}

/** One session file as a row: where it is and whether its mode keeps it private. Nothing is read. */
function sessionRow(name: string, dir: string, env: NodeJS.ProcessEnv): AccountRow {
  const file = join(dir, `${name}.session`);
  if (env[sessionEnvOf(name)]) return { type: "account", name, session: sessionEnvOf(name), permissions: "env" };
  if (!existsSync(file)) return { type: "account", name, session: file, permissions: "missing" };
  const mode = statSync(file).mode & 0o777;
  const open = process.platform !== "win32" && (mode & 0o077) !== 0;
  return { type: "account", name, session: file, permissions: open ? "open" : "ok", mode: mode.toString(8).padStart(4, "0") };
}

function sessionText(r: AccountRow): string {
  switch (r.permissions) {
    case "env": return `session from ${r.session}`;
    case "missing": return `no session file ${r.session}; run \`tgrelay login ${r.name}\``;
    case "open": return `${r.session}, readable by others (mode ${r.mode}): run chmod 600 ${r.session}`;
    default: return `${r.session}, permissions ok (${r.mode})`;
  }
}

/** List the accounts; --check connects to each (one at a time) and reports who it is. */
export async function runAccounts(ctx: CommandContext): Promise<number> {
  const common = resolveCommon(ctx.raw, ctx.configPath, ctx.io.cwd);
  const wantCheck = ctx.raw.get("check")?.value === true;
  if (!wantCheck && !ctx.raw.has("emulator")) {
    // The session files only: no api id/hash needed, nothing connects, no secret is read or shown.
    const files = resolveSessionFiles(ctx.raw, ctx.io.cwd);
    const list = files.accounts.map((n) => sessionRow(n, files.sessions, ctx.io.env));
    if (common.json) for (const r of list) ctx.io.stdout.write(`${toJson(r)}\n`);
    else if (list.length === 0) ctx.io.stdout.write(`No accounts: no session files in ${files.sessions}. Run \`tgrelay login NAME\`.\n`);
    else for (const r of list) ctx.io.stdout.write(`${r.name}: ${sessionText(r)}\n`);
    return list.some((r) => r.permissions === "open" || r.permissions === "missing") ? EXIT.failed : EXIT.ok;
  }
  const settings = resolveAccounts(ctx.raw, ctx.io.env, wantCheck, ctx.io.cwd);
  const rows: AccountRow[] = [];
  {
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
