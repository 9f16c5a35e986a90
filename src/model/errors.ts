/**
 * Typed errors of tgrelay. Adapters translate their libraries' errors into these, so the pipeline decides
 * with `instanceof` and never parses messages.
 */
export class TgRelayError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Telegram asked this account to wait (FLOOD_WAIT_X, FLOOD_PREMIUM_WAIT_X, SLOWMODE_WAIT_X). */
export class FloodWait extends TgRelayError {
  constructor(
    readonly seconds: number,
    readonly account: string,
    readonly method: string,
    /** "account" waits hold the whole account; "target" (slow mode) only sends to that chat. */
    readonly scope: "account" | "target" = "account",
    options?: { cause?: unknown },
  ) {
    super(`flood wait of ${seconds}s on ${method} for account ${account}`, options);
  }
}

/** A fault that goes away when tried again (timeouts, internal server errors, dropped connections). */
export class Transient extends TgRelayError {
  constructor(message: string, readonly reason: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** This post cannot be delivered; record the reason and go on (e.g. MEDIA_EMPTY, a deleted message). */
export class SkipPost extends TgRelayError {
  constructor(readonly reason: string, readonly postIds: readonly number[] = [], options?: { cause?: unknown }) {
    super(`skipped: ${reason}`, options);
  }
}

/** The job cannot go on (no right to post, a private channel, an unknown chat). */
export class Fatal extends TgRelayError {
  constructor(message: string, readonly reason: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** This account cannot work any more (session revoked, deactivated, used by another process). */
export class AccountDead extends TgRelayError {
  constructor(readonly account: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`account ${account} is unusable: ${reason}`, options);
  }
}

/** Bad input from the user (a flag, a config file, a chat reference, an export). Exit code 2. */
export class UsageError extends TgRelayError {}

export function isFloodWait(e: unknown): e is FloodWait {
  return e instanceof FloodWait;
}
