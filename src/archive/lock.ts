/**
 * One writer per archive chat folder: a lock file holding the writer's pid. Two processes appending to one
 * manifest would each rewrite it from what they know and lose the other's lines. A lock whose process is
 * gone (killed, crashed) is taken over; sinks of one process share the folder freely.
 */
import { promises as fs, unlinkSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../model/index.js";
import { processAlive } from "../model/process.js";

/** Name of the lock file inside a chat folder. */
export const LOCK = ".tgrelay.lock";

/** Locks this process holds, removed when it exits. */
const held = new Set<string>();
let exitHook = false;

/** Take the lock of `folder` for this process, or throw a UsageError naming the process that holds it. */
export async function lockFolder(folder: string): Promise<void> {
  const file = path.join(folder, LOCK);
  if (held.has(file)) return;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: "wx" });
      held.add(file);
      if (!exitHook) {
        exitHook = true;
        process.once("exit", () => {
          for (const f of held) {
            try {
              unlinkSync(f);
            } catch {
              // already gone
            }
          }
        });
      }
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const pid = Number((await fs.readFile(file, "utf8").catch(() => "")).trim());
    if (pid === process.pid) {
      held.add(file);
      return;
    }
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
      throw new UsageError(`archive folder ${folder} is in use by process ${pid} (remove ${LOCK} if that is wrong)`);
    }
    await fs.rm(file, { force: true }); // stale: its process is gone
  }
  throw new UsageError(`archive folder ${folder}: cannot take its lock ${LOCK}`);
}

/** Release the lock of `folder` if this process holds it. */
export async function unlockFolder(folder: string): Promise<void> {
  const file = path.join(folder, LOCK);
  if (!held.delete(file)) return;
  await fs.rm(file, { force: true });
}
