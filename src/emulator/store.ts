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

export function generatedFile(world: World, size: number, seed: number, header?: Buffer): FileRec {
  const f: FileRec = { id: newId(world, "file"), size, gen: header ? { seed, header: header.toString("base64") } : { seed } };
  world.putFile(f);
  return f;
}

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

/** sha256 of a file's bytes. */
export function fileSha256(world: World, f: FileRec): string {
  const h = createHash("sha256");
  for (let off = 0; off < f.size; off += CHUNK) h.update(readFile(world, f, off, CHUNK));
  return h.digest("hex");
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
    const f: FileRec = { id: newId(world, "file"), size: 0 };
    const md5 = createHash("md5");
    let size = 0;
    let buf = Buffer.allocUnsafe(CHUNK);
    let fill = 0;
    let idx = 0;
    for (let i = 0; i < input.parts; i++) {
      const data = world.part(account, key, i);
      md5.update(data);
      size += data.length;
      for (let off = 0; off < data.length; ) {
        const take = Math.min(CHUNK - fill, data.length - off);
        data.copy(buf, fill, off, off + take);
        fill += take;
        off += take;
        if (fill === CHUNK) {
          world.putChunk(f.id, idx++, buf);
          buf = Buffer.allocUnsafe(CHUNK);
          fill = 0;
        }
      }
    }
    if (fill > 0) world.putChunk(f.id, idx, buf.subarray(0, fill));
    if (!big && input.md5Checksum && input.md5Checksum !== md5.digest("hex")) fail("MD5_CHECKSUM_INVALID");
    const rec: FileRec = { ...f, size };
    world.putFile(rec);
    world.dropParts(account, key);
    world.putUploaded(account, key, rec.id);
    return rec;
  });
}
