/**
 * Uploading one file with upload.SaveFilePart / SaveBigFilePart, part by part through the account's gated call.
 * GramJS's uploadFile sends its parts on a sender directly (past invoke) and sleeps on flood waits by itself
 * while the account's other calls go on (research/gramjs.md 3.3); here every part passes the cooldown gate, so
 * a flood wait pauses the upload and holds the account, then the upload resumes at the part it stopped at.
 * Part sizes and the big-file rule are GramJS's: 128 KB parts under 100 MB, 256 KB under 750 MB, 512 KB
 * above; files over 10 MiB are "big" (SaveBigFilePart, InputFileBig).
 */
import { open } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { Api } from "telegram";
import bigInt from "big-integer";
import type { FileData } from "../model/loaded.js";
import { SkipPost, Transient } from "../model/errors.js";
import { classifyError } from "./errors.js";
import type { AccountContext } from "./context.js";

const KB = 1024;
const MB = 1024 * KB;
/** Above this size a file is uploaded as a big file (GramJS's LARGE_FILE_THRESHOLD). */
export const BIG_FILE_THRESHOLD = 10 * MB;

/** GramJS's upload part size for a file of `size` bytes (a divisor of 512 KB, as Telegram requires). */
export function uploadPartSize(size: number): number {
  if (size < 100 * MB) return 128 * KB;
  if (size < 750 * MB) return 256 * KB;
  return 512 * KB;
}

/** How a file of `size` bytes is cut for upload. */
export function uploadPlan(size: number): { partSize: number; parts: number; big: boolean } {
  const partSize = uploadPartSize(size);
  return { partSize, parts: Math.ceil(size / partSize), big: size > BIG_FILE_THRESHOLD };
}

export interface UploadOptions {
  /** Parts in flight at once (default 4). */
  readonly workers?: number;
  /** Retries of one part after a transient error (default 2). */
  readonly maxPartRetries?: number;
  /** Called as parts are saved. */
  readonly onBytes?: (n: number) => void;
}

/** Reads the bytes of one part: from memory, or from the temp file at its offset. */
interface PartReader {
  read(offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

async function partReader(data: FileData): Promise<PartReader> {
  if (data.kind === "memory") {
    const bytes = data.bytes;
    return { read: async (offset, length) => bytes.subarray(offset, offset + length), close: async () => {} };
  }
  const fh = await open(data.path, "r");
  return {
    async read(offset, length) {
      const buf = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await fh.read(buf, done, length - done, offset + done);
        if (bytesRead === 0) throw new Transient(`${data.path} ended at ${offset + done} of a part of ${length} bytes`, "SHORT_READ");
        done += bytesRead;
      }
      return buf;
    },
    close: () => fh.close(),
  };
}

/**
 * Upload `data` (`size` bytes) as `name`; resolves with the InputFile (or InputFileBig) to send. Aborting
 * stops every worker. A short flood wait pauses the parts (the gate), a long one rejects with the flood error.
 */
export async function uploadFile(
  ctx: AccountContext,
  data: FileData,
  size: number,
  name: string,
  signal: AbortSignal,
  opts: UploadOptions = {},
): Promise<Api.InputFile | Api.InputFileBig> {
  if (!(size > 0)) throw new SkipPost(`${name}: nothing to upload (empty file)`);
  const { partSize, parts, big } = uploadPlan(size);
  const fileId = bigInt(randomBytes(8).readBigInt64LE().toString());
  const maxPartRetries = opts.maxPartRetries ?? 2;
  const reader = await partReader(data);
  const inner = new AbortController();
  const onAbort = () => inner.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  // Workers take the next part from here: parts go out in order, at most `workers` at once.
  let next = 0;
  const savePart = async (part: number): Promise<void> => {
    const offset = part * partSize;
    const bytes = await reader.read(offset, Math.min(partSize, size - offset));
    const req = big
      ? new Api.upload.SaveBigFilePart({ fileId, filePart: part, fileTotalParts: parts, bytes })
      : new Api.upload.SaveFilePart({ fileId, filePart: part, bytes });
    for (let retries = 0; ; retries++) {
      if (inner.signal.aborted) throw inner.signal.reason;
      try {
        const ok = await ctx.call<boolean>(req, { signal: inner.signal, transfer: true });
        if (ok === false) throw new Transient(`${req.className} ${part} of ${name} answered false`, "PART_NOT_SAVED");
        opts.onBytes?.(bytes.length);
        return;
      } catch (e) {
        if (inner.signal.aborted) throw inner.signal.reason;
        if (classifyError(e).kind === "retry" && retries < maxPartRetries) continue;
        throw e;
      }
    }
  };
  try {
    let failure: { error: unknown } | undefined;
    const workers = Math.max(1, Math.min(opts.workers ?? 4, parts));
    await Promise.allSettled(
      Array.from({ length: workers }, async () => {
        try {
          while (next < parts && !inner.signal.aborted) await savePart(next++);
        } catch (e) {
          if (!failure) {
            failure = { error: e };
            inner.abort(e); // stop the other workers
          }
        }
      }),
    );
    if (signal.aborted) throw signal.reason;
    if (failure) throw failure.error;
    return big ? new Api.InputFileBig({ id: fileId, parts, name }) : new Api.InputFile({ id: fileId, parts, name, md5Checksum: "" });
  } finally {
    signal.removeEventListener("abort", onAbort);
    await reader.close().catch(() => undefined);
  }
}
