/** `tgrelay copy` and `tgrelay retry`: run a job (retry: only the posts that failed). */
import { openAccounts } from "../providers.js";
import { runJob } from "../job.js";
import { createLogger, LogRouter } from "../logger.js";
import { resolveJob } from "../resolve.js";
import type { CommandContext } from "./index.js";

/** Resolve and validate everything, open the accounts, run the job; returns the exit code. */
export async function runCopy(ctx: CommandContext, command: "copy" | "retry"): Promise<number> {
  const settings = resolveJob(ctx.raw, ctx.io.env, command, ctx.configPath, ctx.io.cwd);
  const logRouter = new LogRouter(ctx.io.stderr);
  const { logger, close } = createLogger({ level: settings.logLevel, ...(settings.logFile ? { file: settings.logFile } : {}), stderr: logRouter });
  try {
    const opened = settings.accounts ? await openAccounts(settings.accounts, logger, ctx.io.env) : undefined;
    try {
      const { code } = await runJob(settings, opened?.handles ?? [], { io: ctx.io, logger, retry: command === "retry", logRouter });
      return code;
    } finally {
      await opened?.close();
    }
  } finally {
    await close();
  }
}
