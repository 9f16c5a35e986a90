/**
 * How a file is cut for download: 512 KB aligned parts, fetched by a number of parallel workers that grows
 * with the size (one below 1 MB, up to 8 above 50 MB), so a large file is not one slow sequential stream.
 */
import { FILE_PART_SIZE } from "./requests.js";

const MB = 1024 * 1024;

/** Default parallel part requests for one file of `size` bytes. */
export function defaultParallelism(size: number): number {
  if (size < 1 * MB) return 1;
  if (size < 5 * MB) return 2;
  if (size < 20 * MB) return 4;
  if (size <= 50 * MB) return 6;
  return 8;
}

/** One part request: its byte offset and the bytes it must return. */
export interface FilePart {
  readonly index: number;
  readonly offset: number;
  /** Bytes this part must return (FILE_PART_SIZE except for the last part). */
  readonly expected: number;
}

/** The parts of a file of `size` bytes, in order. A zero-size file has no parts. */
export function planParts(size: number, partSize = FILE_PART_SIZE): FilePart[] {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad file size ${size}`);
  const parts: FilePart[] = [];
  for (let offset = 0, index = 0; offset < size; offset += partSize, index++) {
    parts.push({ index, offset, expected: Math.min(partSize, size - offset) });
  }
  return parts;
}

/**
 * Contiguous aligned ranges of parts, one per worker (at most `parallelism`, at least one part each), so each
 * worker reads its own stretch of the file from start to end.
 */
export function planRanges(size: number, parallelism: number, partSize = FILE_PART_SIZE): FilePart[][] {
  const parts = planParts(size, partSize);
  const n = Math.max(1, Math.min(Math.floor(parallelism), parts.length));
  const ranges: FilePart[][] = [];
  const per = Math.floor(parts.length / n);
  let extra = parts.length % n;
  let at = 0;
  for (let i = 0; i < n; i++) {
    const len = per + (extra-- > 0 ? 1 : 0);
    if (len > 0) ranges.push(parts.slice(at, at + len));
    at += len;
  }
  return ranges;
}
