import { Api, errors } from "telegram";

/** A Telegram RPC error raised by the emulator's server side; the transport turns it into GramJS's error class. */
export class RpcFailure extends Error {
  constructor(readonly errorMessage: string, readonly code: number = codeOf(errorMessage)) {
    super(errorMessage);
  }
}

/** Throw Telegram's error `name` (with its usual code). */
export function fail(name: string, code?: number): never {
  throw new RpcFailure(name, code);
}

/** The error code Telegram uses for an error name. */
export function codeOf(name: string): number {
  if (/^(FLOOD_WAIT_|FLOOD_PREMIUM_WAIT_|SLOWMODE_WAIT_)/.test(name)) return 420;
  if (/_MIGRATE_\d+$/.test(name)) return 303;
  if (name === "CHAT_WRITE_FORBIDDEN") return 403;
  if (name === "RANDOM_ID_DUPLICATE") return 500;
  if (name === "TIMEOUT") return -503;
  return 400;
}

/** GramJS's own error object for a failure, as its MTProtoSender would build it from an rpc_error. */
export function toGramError(f: RpcFailure, request: Api.AnyRequest): Error {
  return errors.RPCMessageToError(new Api.RpcError({ errorCode: f.code, errorMessage: f.errorMessage }), request);
}
