/**
 * One process per job: two copies of the same job at once (the command run in two terminals) would both
 * send what the journal does not list yet, and the target would get duplicates. A lock file beside the
 * journal holds the pid of the process running the job; one whose process is gone (killed) is taken over.
 */
import { readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { UsageError } from "../model/errors.js";
import { processAlive } from "../model/process.js";

/** The lock file of a job of a journal. */
export function jobLockPath(journal: string, jobId: string): string {
  return `${journal}-${jobId}.lock`;
}

/**
 * Take the job's lock for this process, or throw a UsageError naming the process that runs it.
 * @returns the release (also done when the process exits)
 */
export function lockJob(journal: string, jobId: string): () => void {
  const file = jobLockPath(journal, jobId);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: "wx" });
      const onExit = (): void => {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      };
      process.once("exit", onExit);
      return () => {
        process.off("exit", onExit);
        rmSync(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue; // released meanwhile
    }
    const pid = Number(text.trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
      throw new UsageError(`job ${jobId} is being run by process ${pid}; wait for it to end (remove ${file} if that is wrong)`);
    }
    if (pid === process.pid) throw new UsageError(`job ${jobId} is already running in this process`);
    rmSync(file, { force: true }); // stale: its process is gone
  }
  throw new UsageError(`job ${jobId}: cannot take its lock ${file}`);
}
