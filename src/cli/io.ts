/**
 * What a command touches of the process: streams, env, working folder, signals. Passed in, so tests run
 * the CLI in-process with their own streams and emit their own signals.
 */
import type { EventEmitter } from "node:events";
import type { Readable, Writable } from "node:stream";

export type OutStream = Writable & { isTTY?: boolean; columns?: number };

export interface CliIo {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly stdin: Readable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Where SIGINT/SIGTERM come from (the process, or a test's emitter). */
  readonly signals: Pick<EventEmitter, "on" | "off">;
  /** Leave at once (second signal); by default process.exit. */
  readonly exitNow: (code: number) => void;
}

/** The real process. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signals: process,
    exitNow: (code) => process.exit(code),
  };
}

/** Exit codes. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;
