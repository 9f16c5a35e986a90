import { createHash } from "node:crypto";
import { hash32 } from "./prng.js";

/**
 * Generated file content: a pure function of (seed, offset), so a 200 MB file costs nothing to store and any
 * aligned slice is computed on demand. An optional header (e.g. a JPEG start with its dimensions) comes first.
 */
export interface GeneratedContent {
  readonly seed: number;
  readonly size: number;
  /** Base64 of the first bytes of the file. */
  readonly header?: string;
}

/** Bytes [offset, offset+length) of generated content (clipped to its size). */
export function generatedSlice(gen: GeneratedContent, offset: number, length: number): Buffer {
  const end = Math.min(gen.size, offset + length);
  if (end <= offset) return Buffer.alloc(0);
  const out = Buffer.allocUnsafe(end - offset);
  // Word-aligned fill: word i covers bytes [4i, 4i+4).
  const firstWord = Math.floor(offset / 4);
  const lastWord = Math.floor((end - 1) / 4);
  // Words are little-endian (as on every machine Node runs on here), written through a typed array for speed.
  const u32 = new Uint32Array(lastWord - firstWord + 1);
  for (let w = firstWord, j = 0; w <= lastWord; w++, j++) u32[j] = hash32(gen.seed, w);
  const words = Buffer.from(u32.buffer, u32.byteOffset, u32.byteLength);
  words.copy(out, 0, offset - firstWord * 4, offset - firstWord * 4 + out.length);
  if (gen.header !== undefined) {
    const header = Buffer.from(gen.header, "base64");
    if (offset < header.length) header.copy(out, 0, offset, Math.min(header.length, end));
  }
  return out;
}

/** sha256 (hex) of generated content, computed in 1 MiB steps. */
export function generatedSha256(gen: GeneratedContent): string {
  const h = createHash("sha256");
  for (let off = 0; off < gen.size; off += 1 << 20) h.update(generatedSlice(gen, off, 1 << 20));
  return h.digest("hex");
}

/** A tiny baseline-JPEG prefix (SOI, APP0, SOF0 with the given size) so readers can see dimensions. */
export function jpegHeader(width: number, height: number): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 255, width >> 8, width & 255, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof]);
}

/** Width and height from a JPEG's SOF marker, when the bytes are a JPEG. */
export function jpegSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1]!;
    const len = bytes.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc3) return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return undefined;
}
