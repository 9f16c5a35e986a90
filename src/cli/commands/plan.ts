/** `tgrelay plan`: the dry run. */
import { buildPlan, formatPlan } from "../dryRun.js";
import { EXIT } from "../io.js";
import { createLogger } from "../logger.js";
import { toJson } from "../progress.js";
import { openAccounts } from "../providers.js";
import { resolveJob } from "../resolve.js";
import type { CommandContext } from "./index.js";

/** Print what copy would do; reads only. */
export async function runPlan(ctx: CommandContext): Promise<number> {
  const settings = resolveJob(ctx.raw, ctx.io.env, "plan", ctx.configPath, ctx.io.cwd);
  const { logger, close } = createLogger({ level: settings.logLevel, ...(settings.logFile ? { file: settings.logFile } : {}), stderr: ctx.io.stderr });
  try {
    const opened = settings.accounts ? await openAccounts(settings.accounts, logger, ctx.io.env) : undefined;
    try {
      const plan = await buildPlan(settings, opened?.handles ?? []);
      if (settings.json) {
        for (const b of plan.batches) ctx.io.stdout.write(`${toJson(b)}\n`);
        for (const c of plan.chunks) ctx.io.stdout.write(`${toJson(c)}\n`);
        ctx.io.stdout.write(`${toJson(plan.report)}\n`);
      } else {
        ctx.io.stdout.write(`${formatPlan(plan)}\n`);
      }
      return EXIT.ok;
    } finally {
      await opened?.close();
    }
  } finally {
    await close();
  }
}
