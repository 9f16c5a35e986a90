import { createHmac } from "node:crypto";
import bigInt from "big-integer";

/** Where a media reference was read: the message it came with, or (0, 0) for an upload by this account. */
export interface RefContext {
  readonly channelId: string;
  readonly msgId: number;
}

export type RefCheck =
  | { readonly ok: true; readonly issuedAt: number; readonly context: RefContext }
  | { readonly ok: false };

/**
 * Access hashes and file references, derived from the world's secret. Both are bound to the account that
 * received them (as on Telegram), so a reference read by one account fails for another. A file reference
 * carries its issue time (for expiry) and the message it was read with (for protected-content checks).
 */
export class Keys {
  constructor(private readonly secret: string) {}

  private mac(text: string): Buffer {
    return createHmac("sha256", this.secret).update(text).digest();
  }

  /** The access hash `account` sees for an object (signed 64-bit, as big-integer). */
  accessHash(account: string, kind: string, id: string): bigInt.BigInteger {
    return bigInt(this.mac(`${account}|${kind}|${id}`).readBigInt64LE(0).toString());
  }

  checkAccessHash(account: string, kind: string, id: string, hash: bigInt.BigInteger | undefined): boolean {
    return hash !== undefined && this.accessHash(account, kind, id).equals(hash);
  }

  fileReference(account: string, kind: string, id: string, ctx: RefContext, issuedAt: number): Buffer {
    const head = Buffer.alloc(21);
    head[0] = 2;
    head.writeBigUInt64BE(BigInt(Math.floor(issuedAt)), 1);
    head.writeBigUInt64BE(BigInt(ctx.channelId), 9);
    head.writeUInt32BE(ctx.msgId >>> 0, 17);
    const tag = this.mac(`ref|${account}|${kind}|${id}|${head.toString("hex")}`).subarray(0, 12);
    return Buffer.concat([head, tag]);
  }

  checkReference(account: string, kind: string, id: string, ref: Buffer | undefined): RefCheck {
    if (ref === undefined || ref.length !== 33 || ref[0] !== 2) return { ok: false };
    const head = ref.subarray(0, 21);
    const tag = this.mac(`ref|${account}|${kind}|${id}|${head.toString("hex")}`).subarray(0, 12);
    if (!tag.equals(ref.subarray(21))) return { ok: false };
    return {
      ok: true,
      issuedAt: Number(head.readBigUInt64BE(1)),
      context: { channelId: head.readBigUInt64BE(9).toString(), msgId: head.readUInt32BE(17) },
    };
  }
}
