/**
 * Whether a process with this pid exists: the one test behind every pid lock file (sessions, jobs, archive
 * folders, temp folders), so that a lock or folder left by a killed process is taken over.
 * EPERM means it exists but belongs to someone else.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
