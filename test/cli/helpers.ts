// Running the CLI in-process with captured streams, env, folder and signals.
import { EventEmitter } from "node:events";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { tempDir as sharedTempDir } from "../helpers/tempDir.js";

/** A stream that keeps what is written. */
export class Captured extends Writable {
  text = "";
  isTTY = false;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signals?: EventEmitter;
  /** Called once main has started (e.g. to emit signals). */
  during?: (io: CliIo) => void;
}

/** A fresh temp folder, removed when the test that made it finishes. */
export function tempDir(prefix = "tgrelay-cli-"): string {
  return sharedTempDir(prefix);
}

/** An io with captured streams, for calling command internals directly. */
export function makeIo(opts: { cwd?: string; signals?: EventEmitter } = {}): CliIo & { stdout: Captured; stderr: Captured; exits: number[] } {
  const exits: number[] = [];
  return {
    stdout: new Captured(), stderr: new Captured(), stdin: new PassThrough(), env: {}, cwd: opts.cwd ?? tempDir(),
    signals: opts.signals ?? new EventEmitter(), exitNow: (c) => { exits.push(c); }, exits,
  };
}

/** Run `tgrelay ...args` in-process. */
export async function run(args: string[], opts: RunOptions = {}): Promise<Run & { exits: number[] }> {
  const stdout = new Captured();
  const stderr = new Captured();
  const exits: number[] = [];
  const io: CliIo = {
    stdout, stderr, stdin: new PassThrough(), env: opts.env ?? {}, cwd: opts.cwd ?? tempDir(),
    signals: opts.signals ?? new EventEmitter(), exitNow: (c) => { exits.push(c); },
  };
  const p = main(args, io);
  opts.during?.(io);
  const code = await p;
  return { code, stdout: stdout.text, stderr: stderr.text, exits };
}

export const FIXTURE = join(import.meta.dirname, "..", "fixtures", "desktop-export", "tg2md-private-channel");
