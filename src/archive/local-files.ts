/**
 * Serving files that already sit on this disk (an archive, an export) as a download: no copy is made,
 * the Loaded points at the files themselves, and releasing it removes nothing.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { Observable } from "rxjs";
import type { Batch, Loaded, LoadedFile } from "../model/index.js";
import { SkipPost } from "../model/index.js";
import { hashFile } from "./files.js";

/** Where one post's file (and thumbnail) is on disk. */
export interface LocalFile {
  readonly postId: number;
  readonly path: string;
  readonly thumbPath?: string;
  /** When set, the file's SHA-256 is checked against it. */
  readonly sha256?: string;
}

/** True when `p` lies strictly inside `folder` (both absolute). */
function isWithin(folder: string, p: string): boolean {
  const r = path.relative(folder, p);
  return r !== "" && r !== ".." && !r.startsWith(`..${path.sep}`) && !path.isAbsolute(r);
}

/**
 * The absolute path of `rel`, a file an export or a manifest names, when it lies inside `folder` (also after
 * following symlinks); undefined when it points outside. An export or an archive may come from someone else:
 * "../../.ssh/id_rsa" or a symlink must not make tgrelay read, and send, a file of this machine.
 */
export async function pathInside(folder: string, rel: string): Promise<string | undefined> {
  if (path.isAbsolute(rel)) return undefined;
  const base = path.resolve(folder);
  const abs = path.resolve(base, rel);
  if (!isWithin(base, abs)) return undefined;
  const real = await fs.realpath(abs).catch(() => undefined);
  if (real !== undefined && !isWithin(await fs.realpath(base).catch(() => base), real)) return undefined;
  return abs;
}

/**
 * A cold Observable of one Loaded for `batch` whose files are `files` (posts without a file have none).
 * Thumbnails are read into memory (they are small); the media stay files.
 */
export function loadLocal(batch: Batch, files: readonly LocalFile[]): Observable<Loaded> {
  return new Observable<Loaded>((subscriber) => {
    let cancelled = false;
    (async () => {
      const out: LoadedFile[] = [];
      let memoryBytes = 0;
      for (const f of files) {
        if (cancelled) return;
        let size: number;
        try {
          size = (await fs.stat(f.path)).size;
        } catch {
          // Checked when the source opened: gone since (mid-run) is this post's problem, not a usage error.
          throw new SkipPost(`file of post ${f.postId} is missing: ${f.path}`, [f.postId]);
        }
        if (f.sha256) {
          const h = await hashFile(f.path);
          // A damaged file fails its post (recorded, retry-able once repaired); the run goes on.
          if (h.sha256 !== f.sha256) throw new SkipPost(`file of post ${f.postId} does not match its SHA-256: ${f.path}`, [f.postId]);
        }
        let thumb: Buffer | undefined;
        if (f.thumbPath) {
          try {
            thumb = await fs.readFile(f.thumbPath);
            memoryBytes += thumb.length;
          } catch {
            thumb = undefined; // a thumbnail is optional; the sink makes one or sends without
          }
        }
        out.push({ postId: f.postId, data: { kind: "file", path: f.path }, size, ...(thumb ? { thumb } : {}) });
      }
      return { batch, files: out, memoryBytes, release: async () => {} } satisfies Loaded;
    })().then(
      (loaded) => {
        if (!loaded || cancelled) return;
        subscriber.next(loaded);
        subscriber.complete();
      },
      (e: unknown) => subscriber.error(e),
    );
    return () => {
      cancelled = true;
    };
  });
}
