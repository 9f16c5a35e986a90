/**
 * The archive as a source `dir:PATH`: the manifest read back as posts (albums, captions and entities as
 * they were archived), and the archived files served as downloads. So an archive restores into a channel.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import type { Observable } from "rxjs";
import type { Batch, IdRange, Loaded, Post } from "../model/index.js";
import { inRange, UsageError } from "../model/index.js";
import type { Source } from "../ports.js";
import { loadLocal, pathInside, type LocalFile } from "./local-files.js";
import { MANIFEST, postOf, readManifest, type ManifestEntry } from "./manifest.js";
import { pagesOnDemand } from "./pages.js";
import { dirPath } from "./target.js";

export interface ArchiveSourceOptions {
  /** Which chat of an archive that holds several: its chat id or folder name. */
  readonly chat?: string;
  /** Check each file's SHA-256 against the manifest before serving it (reads every file twice). */
  readonly verify?: boolean;
}

/** An archived chat read as a Source. Open it with openArchiveSource. */
export class ArchiveSource implements Source {
  readonly account = "";

  constructor(
    readonly chatId: string,
    /** The chat folder (the one holding manifest.jsonl). */
    readonly folder: string,
    /** Manifest lines in source order. */
    readonly entries: readonly ManifestEntry[],
    private readonly options: ArchiveSourceOptions = {},
  ) {}

  /** The archived posts of `range`, oldest first, a page per demand. */
  read(range: IdRange, demand$: Observable<unknown>): Observable<Post> {
    return pagesOnDemand(async () => this.entries.filter((e) => inRange(e, range)).map(postOf), demand$);
  }

  /** The archived files of the batch's posts, served in place. */
  download(batch: Batch): Observable<Loaded> {
    const byId = new Map(this.entries.map((e) => [e.id, e]));
    const files: LocalFile[] = [];
    for (const p of batch.posts) {
      const e = byId.get(p.id);
      if (!e?.file) continue;
      files.push({
        postId: p.id,
        path: path.join(this.folder, e.file),
        ...(e.thumb ? { thumbPath: path.join(this.folder, e.thumb) } : {}),
        ...(this.options.verify && e.sha256 ? { sha256: e.sha256 } : {}),
      });
    }
    return loadLocal(batch, files);
  }
}

/**
 * Open "dir:PATH" as a source. PATH is a chat folder (it holds manifest.jsonl) or an archive root with
 * chat folders, of which `options.chat` picks one when there are several. Every file the manifest
 * names must be there.
 */
export async function openArchiveSource(spec: string, options: ArchiveSourceOptions = {}): Promise<ArchiveSource> {
  const root = dirPath(spec);
  const stat = await fs.stat(root).catch(() => undefined);
  if (!stat?.isDirectory()) throw new UsageError(`dir: no such folder: ${root}`);
  const folder = await chatFolder(root, options.chat);
  // Lines are in source order as written; sorting again costs little and survives a hand-edited manifest.
  const entries = (await readManifest(folder)).sort((a, b) => a.id - b.id);
  for (const e of entries) {
    for (const rel of [e.file, e.thumb]) {
      if (rel === undefined) continue;
      const inside = await pathInside(folder, rel);
      if (inside === undefined) {
        throw new UsageError(`${path.join(folder, MANIFEST)}: post ${e.id} names ${rel}, which is outside the archive folder`);
      }
      const st = await fs.stat(inside).catch(() => undefined);
      if (!st?.isFile()) {
        throw new UsageError(`${path.join(folder, MANIFEST)}: post ${e.id} names ${rel}, which is not there`);
      }
    }
  }
  const chatId = entries[0]?.chatId ?? path.basename(folder);
  return new ArchiveSource(chatId, folder, entries, options);
}

async function chatFolder(root: string, chat: string | undefined): Promise<string> {
  if (await exists(path.join(root, MANIFEST))) return root;
  const folders: string[] = [];
  for (const d of await fs.readdir(root, { withFileTypes: true })) {
    if (d.isDirectory() && (await exists(path.join(root, d.name, MANIFEST)))) folders.push(d.name);
  }
  if (folders.length === 0) throw new UsageError(`dir: ${root} holds no archive (no ${MANIFEST} in it or its folders)`);
  if (chat !== undefined) {
    for (const name of folders) {
      if (name === chat) return path.join(root, name);
      const first: ManifestEntry | undefined = (await readManifest(path.join(root, name)))[0];
      if (first?.chatId === chat) return path.join(root, name);
    }
    throw new UsageError(`dir: ${root} has no chat ${chat} (it has: ${folders.join(", ")})`);
  }
  if (folders.length > 1) throw new UsageError(`dir: ${root} holds ${folders.length} chats, choose one of: ${folders.join(", ")}`);
  return path.join(root, folders[0]!);
}

async function exists(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => undefined))?.isFile() ?? false;
}
