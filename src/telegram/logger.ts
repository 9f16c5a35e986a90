/**
 * GramJS's logger routed into pino. GramJS also prints raw errors with console.error whenever its logger
 * `canSend(ERROR)`; answering false there silences those dumps, and our `_log` still forwards every line.
 * Secrets (session strings, auth keys, bot tokens, phone numbers) are masked before they reach the log.
 */
import { Logger } from "telegram";
import { LogLevel } from "telegram/extensions/Logger.js";

/** The part of a pino logger we use. */
export interface LogSink {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

const ORDER: readonly string[] = [LogLevel.ERROR, LogLevel.WARN, LogLevel.INFO, LogLevel.DEBUG];

/** Mask secrets in a log line: bot tokens, phone numbers, session strings and long hex/base64 keys. */
export function redact(text: string): string {
  return text
    .replace(/\b\d{6,12}:[A-Za-z0-9_-]{30,}\b/g, "<bot-token>")
    .replace(/\+?\b\d{10,15}\b/g, (m) => (m.length >= 10 ? "<phone>" : m))
    .replace(/\b1[A-Za-z0-9+/=_-]{200,}/g, "<session>")
    .replace(/\b[0-9a-fA-F]{64,}\b/g, "<hex-key>")
    .replace(/[A-Za-z0-9+/]{120,}={0,2}/g, "<base64>");
}

/** A GramJS Logger that writes to pino (or any LogSink) and never to the console. */
export class PinoGramLogger extends Logger {
  // The level below which lines are dropped (GramJS's setLevel keeps working through it).
  private threshold: LogLevel;
  constructor(
    private readonly sink: LogSink,
    level: LogLevel = LogLevel.WARN,
  ) {
    super(LogLevel.NONE);
    this.threshold = level;
  }

  /** False: GramJS's raw console.error(err) paths stay quiet; lines still arrive through _log. */
  override canSend(_level: LogLevel): boolean {
    return false;
  }

  override setLevel(level: LogLevel): void {
    this.threshold = level;
  }

  override get logLevel(): LogLevel {
    return this.threshold;
  }

  override _log(level: LogLevel, message: string, _color: string): void {
    const at = ORDER.indexOf(level);
    if (at < 0 || this.threshold === LogLevel.NONE || at > ORDER.indexOf(this.threshold)) return;
    const line = redact(String(message));
    const fn = level === LogLevel.ERROR ? "error" : level === LogLevel.WARN ? "warn" : level === LogLevel.INFO ? "info" : "debug";
    this.sink[fn]({ lib: "gramjs" }, line);
  }
}
