/**
 * Downloading one file with upload.GetFile: 512 KB aligned parts, several workers over contiguous ranges,
 * asked on the file's own DC. Small files land in memory; large ones in a temp `.part` file that is renamed only
 * when its size equals the expected size. An expired file reference re-reads the message and resumes at the
 * same offset (bounded); a short or empty part is an error, never a success; aborting stops every worker.
 */
import { open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { Api, errors } from "telegram";
import type { FileData } from "../model/loaded.js";
import { SkipPost, Transient } from "../model/errors.js";
import { classifyError } from "./errors.js";
import { defaultParallelism, planRanges } from "./downloadPlan.js";
import { FILE_PART_SIZE } from "./requests.js";
import type { Semaphore } from "./limiter.js";

/** Where a file is and how big it is; `refresh` gets a fresh file reference (re-reading the message). */
export interface FileSource {
  readonly location: Api.TypeInputFileLocation;
  readonly dcId: number;
  readonly size: number;
  readonly refresh?: () => Promise<{ location: Api.TypeInputFileLocation; dcId: number }>;
}

/** Fetch one part; returns the bytes Telegram sent. Injected so tests and benches can swap the transport. */
export type PartFetcher = (
  location: Api.TypeInputFileLocation,
  dcId: number,
  offset: number,
  limit: number,
  signal: AbortSignal,
) => Promise<Buffer>;

export interface DownloadConfig {
  /** Files up to this size are kept in memory; larger ones go to a temp file (default 20 MB). */
  readonly inMemoryLimit: number;
  /** Folder of temp files. */
  readonly tmpDir: string;
  /** Parallel part requests for a file of a given size. */
  readonly parallelism?: (size: number) => number;
  /** File-reference refreshes per file before giving up (default 3). */
  readonly maxRefreshes?: number;
  /** Retries of one part after a short read or a transient error (default 2). */
  readonly maxPartRetries?: number;
  /** Caps part requests in flight across the account (several files at once). */
  readonly requests?: Semaphore;
  /** Called as bytes arrive. */
  readonly onBytes?: (n: number) => void;
}

/** Default: 20 MB, the same threshold as GramJS's in-memory upload limit. */
export const DEFAULT_IN_MEMORY_LIMIT = 20 * 1024 * 1024;

/** Writes parts at their offsets: into a Buffer, or into a `.part` file. */
interface PartWriter {
  write(offset: number, bytes: Buffer): Promise<void>;
  finish(): Promise<FileData>;
  discard(): Promise<void>;
}

function memoryWriter(size: number): PartWriter {
  const buf = Buffer.allocUnsafe(size);
  return {
    async write(offset, bytes) {
      bytes.copy(buf, offset);
    },
    async finish() {
      return { kind: "memory", bytes: buf };
    },
    async discard() {},
  };
}

async function fileWriter(dir: string, baseName: string, size: number): Promise<PartWriter> {
  const final = join(dir, baseName);
  const part = `${final}.part`;
  const fh = await open(part, "w", 0o600);
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await fh.close();
    }
  };
  return {
    async write(offset, bytes) {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, offset + done);
        done += bytesWritten;
      }
    },
    async finish() {
      await fh.sync();
      await close();
      const st = await stat(part);
      if (st.size !== size) {
        await rm(part, { force: true });
        throw new Transient(`downloaded ${st.size} of ${size} bytes`, "SHORT_READ");
      }
      await rename(part, final);
      return { kind: "file", path: final };
    },
    async discard() {
      await close().catch(() => undefined);
      await rm(part, { force: true });
    },
  };
}

function isAbort(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** `p`, or a rejection as soon as `signal` aborts (GramJS calls cannot be cancelled, so we stop waiting). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Download `src` completely. Resolves with the bytes in memory or the path of the complete temp file.
 * Throws Transient (short reads, timeouts after retries), SkipPost (the message is gone, references keep
 * expiring), or the classified transport error (FloodWait etc. are thrown by `fetch` as they are).
 */
export async function downloadFile(
  src: FileSource,
  fetch: PartFetcher,
  cfg: DownloadConfig,
  signal: AbortSignal,
  baseName = `tgrelay-${Date.now()}-${randomBytes(6).toString("hex")}`,
): Promise<FileData> {
  if (src.size <= 0) throw new SkipPost("MEDIA_EMPTY: the file has no bytes");
  const ranges = planRanges(src.size, (cfg.parallelism ?? defaultParallelism)(src.size));
  const writer = src.size <= cfg.inMemoryLimit ? memoryWriter(src.size) : await fileWriter(cfg.tmpDir, baseName, src.size);
  // The current location: shared by the workers, replaced by a refresh.
  let current = { location: src.location, dcId: src.dcId };
  // The refresh in progress, so that workers hitting FILE_REFERENCE_EXPIRED together refresh once.
  let refreshing: Promise<void> | undefined;
  let refreshes = 0;
  const maxRefreshes = cfg.maxRefreshes ?? 3;
  const maxPartRetries = cfg.maxPartRetries ?? 2;
  const inner = new AbortController();
  // Every part in flight listens for the abort: more than Node's default of 10.
  setMaxListeners(0, inner.signal);
  const onAbort = () => inner.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });

  const refresh = async (seen: Api.TypeInputFileLocation) => {
    if (current.location !== seen) return; // another worker already refreshed
    if (!refreshing) {
      if (!src.refresh) throw new SkipPost("FILE_REFERENCE_EXPIRED and the message cannot be re-read");
      if (refreshes++ >= maxRefreshes) throw new SkipPost(`FILE_REFERENCE_EXPIRED ${maxRefreshes} times in a row`);
      refreshing = src.refresh().then(
        (fresh) => {
          current = fresh;
          refreshing = undefined;
        },
        (e) => {
          refreshing = undefined;
          throw e;
        },
      );
    }
    await refreshing;
  };

  const fetchPart = async (offset: number, expected: number): Promise<Buffer> => {
    let retries = 0;
    let migrations = 0;
    for (;;) {
      if (isAbort(inner.signal)) throw inner.signal.reason;
      const at = current;
      let bytes: Buffer;
      try {
        const call = () => abortable(fetch(at.location, at.dcId, offset, FILE_PART_SIZE, inner.signal), inner.signal);
        bytes = cfg.requests ? await cfg.requests.run(call, inner.signal) : await call();
      } catch (e) {
        if (isAbort(inner.signal)) throw inner.signal.reason;
        if (e instanceof errors.FileMigrateError && migrations++ < 3) {
          // Ask the DC the file lives on; later parts go there directly.
          if (current === at) current = { location: at.location, dcId: e.newDc };
          continue;
        }
        const c = classifyError(e);
        if (c.kind === "refresh") {
          await refresh(at.location);
          continue; // same offset: resume where this part stopped
        }
        if (c.kind === "retry" && retries++ < maxPartRetries) continue;
        throw e;
      }
      if (bytes.length === expected) return bytes;
      // A short (or zero, or too long) part is never accepted as the end of the file.
      if (retries++ < maxPartRetries) continue;
      throw new Transient(`GetFile at offset ${offset} returned ${bytes.length} bytes, expected ${expected}`, "SHORT_READ");
    }
  };

  try {
    let failure: { error: unknown } | undefined;
    await Promise.allSettled(
      ranges.map(async (range) => {
        try {
          for (const part of range) {
            const bytes = await fetchPart(part.offset, part.expected);
            if (isAbort(inner.signal)) throw inner.signal.reason;
            await writer.write(part.offset, bytes);
            cfg.onBytes?.(bytes.length);
          }
        } catch (e) {
          if (!failure) {
            failure = { error: e };
            inner.abort(e); // stop the other workers
          }
        }
      }),
    );
    if (isAbort(signal)) throw signal.reason;
    if (failure) throw failure.error;
    return await writer.finish();
  } catch (e) {
    await writer.discard();
    throw e;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** Bytes of an upload.File answer; a CDN redirect is refused (we never ask for CDN). */
export function bytesOfFile(result: Api.upload.TypeFile): Buffer {
  if (result instanceof Api.upload.File) return Buffer.from(result.bytes);
  throw new Transient("GetFile answered with a CDN redirect", "FILE_CDN_REDIRECT");
}
