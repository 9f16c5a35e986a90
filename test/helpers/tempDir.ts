// Temp folders for tests that remove themselves: a run leaves nothing in the OS temp folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, onTestFinished } from "vitest";

/** Folders made outside a test (describe body, beforeAll): removed when the file's tests are done. */
const fileScoped: string[] = [];
afterAll(() => {
  for (const d of fileScoped.splice(0)) remove(d);
});

function remove(dir: string): void {
  // maxRetries: a process that just exited (a spawned CLI, SQLite's WAL) may still hold a file for a moment.
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * A fresh folder `<os temp>/<prefix>XXXXXX`. Made inside a test (or its beforeEach), it is removed when that
 * test finishes, passed or failed; made elsewhere, when the test file is done.
 */
export function tempDir(prefix = "tgrelay-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    onTestFinished(() => remove(dir));
  } catch {
    // Not inside a test: onTestFinished throws, the file's afterAll removes it.
    fileScoped.push(dir);
  }
  return dir;
}
