/**
 * Logs go through pino to stderr (human lines, coloured on a TTY) or to --log-file (JSON lines), with secrets redacted.
 */
import { createWriteStream } from "node:fs";
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import pretty from "pino-pretty";
import type { LogLevel } from "./resolve.js";
import { REDACT_PATHS } from "./secrets.js";

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly file?: string;
  /** Where logs go without a file (stderr); a TTY gets pretty output. */
  readonly stderr?: Writable & { isTTY?: boolean };
}

/**
 * Where stderr logs go: straight to stderr, or, while live bars are drawn, through the bars' log so a line
 * never tears them.
 */
export class LogRouter extends Writable {
  /** Set while bars are on screen. */
  sink: ((line: string) => void) | undefined;
  readonly isTTY: boolean;
  constructor(private readonly out: Writable & { isTTY?: boolean }) {
    super();
    this.isTTY = Boolean(out.isTTY);
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (this.sink) this.sink(chunk.toString().replace(/\n$/u, ""));
    else this.out.write(chunk);
    cb();
  }
}

/** The CLI's logger. Call `flush` before exiting so a log file is complete. */
export function createLogger(opts: LoggerOptions): { logger: Logger; close: () => Promise<void> } {
  const base = { level: opts.level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: undefined };
  if (opts.file) {
    const stream = createWriteStream(opts.file, { flags: "a", mode: 0o600 });
    const logger = pino(base, stream);
    return {
      logger,
      close: () => new Promise<void>((res) => { stream.end(() => res()); }),
    };
  }
  // People read stderr, a terminal or not (a pipe, a file, a CI log): one human line per record, colours
  // only on a terminal. JSON lines are for --log-file.
  const stderr = opts.stderr ?? process.stderr;
  const destination = pretty({
    destination: stderr as never, colorize: Boolean(stderr.isTTY), translateTime: "HH:MM:ss", ignore: "pid,hostname", sync: true, singleLine: true,
  });
  const logger = pino(base, destination);
  return { logger, close: async () => {} };
}

/**
 * The logger of one account: every line names it once. The adapter also puts `account` in some records;
 * pino would write the key twice, so the record's own copy is dropped (the binding says it).
 */
export function accountLogger(logger: Logger, name: string): Logger {
  return logger.child({ account: name }).child({}, { serializers: { account: () => undefined } });
}
