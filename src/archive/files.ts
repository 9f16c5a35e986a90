/**
 * Writing archive files so a reader never sees half a file: bytes go to "<name>.part", are flushed,
 * then renamed; so an existing final name always means a complete file. The mtime is the post's date.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, promises as fs } from "node:fs";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import type { FileData } from "../model/index.js";

/** Suffix of files being written. */
export const PART = ".part";

/** Files up to this size are copied through memory, larger ones streamed. */
const SMALL_FILE = 4 * 2 ** 20;

/** Size and SHA-256 (hex) of what was written. */
export interface Written {
  readonly size: number;
  readonly sha256: string;
}

/**
 * Write `data` to `dest` through `dest.part`, then rename and set the mtime to `date` (unix seconds).
 * `signal` aborts the copy and removes the part file; `sync` (default true) flushes it to the disk first.
 */
export async function writeAtomic(
  dest: string,
  data: FileData,
  date: number,
  options: { readonly signal?: AbortSignal; readonly sync?: boolean } = {},
): Promise<Written> {
  const { signal, sync = true } = options;
  // Small files are read whole: one read and one write cost less than a stream pipeline.
  if (data.kind === "file" && (await fs.stat(data.path)).size <= SMALL_FILE) {
    return writeAtomic(dest, { kind: "memory", bytes: await fs.readFile(data.path, { signal }) }, date, options);
  }
  const part = dest + PART;
  const hash = createHash("sha256");
  let size = 0;
  try {
    if (data.kind === "memory") {
      hash.update(data.bytes);
      size = data.bytes.length;
      const fh = await fs.open(part, "w");
      try {
        await fh.writeFile(data.bytes, { signal });
        if (sync) await fh.sync();
      } finally {
        await fh.close();
      }
    } else {
      const tap = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      const out = createWriteStream(part, { flags: "w" });
      await pipeline(createReadStream(data.path), tap, out, { signal });
      if (sync) {
        const fh = await fs.open(part, "r+");
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
    }
    await fs.utimes(part, date, date);
    await fs.rename(part, dest);
  } catch (e) {
    await fs.rm(part, { force: true });
    throw e;
  }
  return { size, sha256: hash.digest("hex") };
}

/** Size and SHA-256 of a file already on disk. */
export async function hashFile(file: string): Promise<Written> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest("hex") };
}

/** Whether `file` exists as a regular file. */
export async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}
