/** Files of the world: generated ones (nothing stored), stored ones (1 MiB chunks), and uploads assembled from parts. */
import { createHash } from "node:crypto";
import { generatedSlice } from "./bytes.js";
import type { FileRec } from "./records.js";
import { fail } from "./rpc.js";
import { CHUNK, type World } from "./world.js";

/** A fresh 64-bit-looking id for a world object of `kind` (photo, document, file, poll, webpage, group). */
export function newId(world: World, kind: string): string {
  const prefix: Record<string, bigint> = { photo: 5n, document: 6n, file: 7n, poll: 8n, webpage: 9n, group: 13n };
  const n = world.next(kind);
  return ((prefix[kind] ?? 3n) * 10n ** 17n + BigInt(n) * 7919n).toString();
}

/** A file whose bytes are generated from `seed` (nothing stored), optionally starting with `header`. */
export function generatedFile(world: World, size: number, seed: number, header?: Buffer): FileRec {
  const f: FileRec = { id: newId(world, "file"), size, gen: header ? { seed, header: header.toString("base64") } : { seed } };
  world.putFile(f);
  return f;
}

/** A file whose bytes are stored in the world, in 1 MiB chunks. */
export function storedFile(world: World, bytes: Buffer): FileRec {
  return world.tx(() => {
    const f: FileRec = { id: newId(world, "file"), size: bytes.length };
    for (let i = 0, idx = 0; i < bytes.length; i += CHUNK, idx++) world.putChunk(f.id, idx, bytes.subarray(i, i + CHUNK));
    world.putFile(f);
    return f;
  });
}

/** Bytes [offset, offset+limit) of a file (clipped to its end). */
export function readFile(world: World, f: FileRec, offset: number, limit: number): Buffer {
  if (f.gen !== undefined) return generatedSlice({ seed: f.gen.seed, size: f.size, header: f.gen.header }, offset, limit);
  const end = Math.min(f.size, offset + limit);
  if (f.parts !== undefined) {
    const { account, uploadId, partSize } = f.parts;
    const out: Buffer[] = [];
    for (let pos = offset; pos < end; ) {
      const idx = Math.floor(pos / partSize);
      const part = world.part(account, uploadId, idx);
      const from = pos - idx * partSize;
      const take = Math.min(part.length - from, end - pos);
      if (take <= 0) break;
      out.push(part.subarray(from, from + take));
      pos += take;
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }
  const out: Buffer[] = [];
  for (let pos = offset; pos < end; ) {
    const idx = Math.floor(pos / CHUNK);
    const chunk = world.chunk(f.id, idx) ?? Buffer.alloc(0);
    const from = pos - idx * CHUNK;
    const take = Math.min(chunk.length - from, end - pos);
    if (take <= 0) break;
    out.push(chunk.subarray(from, from + take));
    pos += take;
  }
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

/** All bytes of a file (for small files: thumbnails, inspection of uploads). */
export function fileBytes(world: World, f: FileRec): Buffer {
  return readFile(world, f, 0, f.size);
}

/** Hashes already computed, per world: files never change once made. */
const shaCache = new WeakMap<World, Map<string, string>>();

/** sha256 of a file's bytes. */
export function fileSha256(world: World, f: FileRec): string {
  let cache = shaCache.get(world);
  if (cache === undefined) shaCache.set(world, (cache = new Map()));
  const known = cache.get(f.id);
  if (known !== undefined) return known;
  const h = createHash("sha256");
  for (let off = 0; off < f.size; off += CHUNK) h.update(readFile(world, f, off, CHUNK));
  const sha = h.digest("hex");
  cache.set(f.id, sha);
  return sha;
}

/**
 * The stored file an InputFile/InputFileBig names, assembling the account's uploaded parts on first use
 * (FILE_PART_X_MISSING when one is absent, FILE_PART_SIZE_INVALID when part sizes break Telegram's rules).
 */
export function uploadedFile(world: World, account: string, input: { id: { toString(): string }; parts: number; md5Checksum?: string }, big: boolean): FileRec {
  const key = input.id.toString();
  const done = world.uploaded(account, key);
  if (done !== undefined) return world.file(done)!;
  return world.tx(() => {
    const parts = world.parts(account, key);
    const have = new Map(parts.map((p) => [p.part, p]));
    if (input.parts <= 0) fail("FILE_PARTS_INVALID");
    for (let i = 0; i < input.parts; i++) if (!have.has(i)) fail(`FILE_PART_${i}_MISSING`);
    const partSize = have.get(0)!.size;
    for (let i = 0; i < input.parts; i++) {
      const p = have.get(i)!;
      if (big && p.total !== input.parts) fail("FILE_PARTS_INVALID");
      const last = i === input.parts - 1;
      if (last ? p.size > partSize : p.size !== partSize || 524288 % partSize !== 0) fail("FILE_PART_SIZE_INVALID");
    }
    // The parts become the file's storage: no copy, so an upload costs its size once in the world file.
    const size = parts.reduce((n, p) => n + p.size, 0);
    if (!big && input.md5Checksum) {
      const md5 = createHash("md5");
      for (let i = 0; i < input.parts; i++) md5.update(world.part(account, key, i));
      if (md5.digest("hex") !== input.md5Checksum) fail("MD5_CHECKSUM_INVALID");
    }
    const rec: FileRec = { id: newId(world, "file"), size, parts: { account, uploadId: key, partSize } };
    world.putFile(rec);
    world.putUploaded(account, key, rec.id);
    return rec;
  });
}
