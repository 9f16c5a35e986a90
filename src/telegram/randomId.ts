/**
 * Idempotent random ids. Telegram refuses a second send with a random id it has seen from this account
 * (RANDOM_ID_DUPLICATE), so deriving the id from what is being sent turns a resend after a crash into a
 * recognisable duplicate instead of a second copy.
 *
 * The job is deliberately not part of the id: the same post sent again to the same target by another job
 * (other targets beside it, a lost journal, other options) is still recognised, so a post is never doubled.
 */
import { createHash } from "node:crypto";
import bigInt from "big-integer";

/** The identity of one sent item. */
export interface RandomIdKey {
  /** The source chat key (Post.chatId). */
  readonly sourceChat: string;
  readonly sourceId: number;
  /** The target key (Sink.target). */
  readonly target: string;
  /** The item's index inside its send (0 for a single message; album items and caption continuations count up). */
  readonly index: number;
}

/** A signed 64-bit random id derived from `key` (first 8 bytes of a SHA-256, never 0). */
export function randomIdFor(key: RandomIdKey): bigInt.BigInteger {
  const h = createHash("sha256")
    .update(JSON.stringify([key.sourceChat, key.sourceId, key.target, key.index]))
    .digest();
  let v = h.readBigInt64BE(0);
  if (v === 0n) v = 1n;
  return bigInt(v.toString());
}
