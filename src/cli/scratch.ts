/**
 * The temp folder of this process's large downloads (> 20 MB go through temp files). A run killed with
 * SIGKILL cannot delete its temp files, and they are as big as the media: each process works in its own
 * folder, named with its pid, and the next tgrelay removes the folders of processes that are gone.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processAlive } from "../model/process.js";

const PREFIX = "tgrelay-run-";
let current: string | undefined;

/** Remove the scratch folders, under `root`, of tgrelay processes that no longer run; returns their names. */
export function sweepScratch(root = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = /^tgrelay-run-(\d+)-/u.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    rmSync(join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** This process's scratch folder: made (after a sweep) on first use, removed when the process exits. */
export function scratchDir(): string {
  if (current) return current;
  const root = tmpdir();
  sweepScratch(root);
  const dir = mkdtempSync(join(root, `${PREFIX}${process.pid}-`));
  current = dir;
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
