/**
 * The archive manifest: JSON Lines, one post per line, in source order (ascending id), text-only posts
 * included. A line is written only after the post's file is complete, so a line means "archived".
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import type { Media, Post } from "../model/index.js";
import { UsageError } from "../model/index.js";

/** File name of the manifest inside a chat folder. */
export const MANIFEST = "manifest.jsonl";
/** Manifest format version, the `v` of every line. */
export const MANIFEST_VERSION = 1;

/** One line of the manifest: the post as the model has it (without the adapter's ref), plus its file and hash. */
export interface ManifestEntry extends Omit<Post, "ref"> {
  /** Manifest format version (MANIFEST_VERSION). */
  readonly v: number;
  /** The media file, relative to the chat folder (posix separators). */
  readonly file?: string;
  /** SHA-256 of the file, hex. */
  readonly sha256?: string;
  /** The thumbnail file, relative to the chat folder. */
  readonly thumb?: string;
}

/** The manifest line of `post`, with its archived file (if any). */
export function entryOf(
  post: Post,
  file?: { readonly file: string; readonly sha256: string; readonly size: number; readonly thumb?: string },
): ManifestEntry {
  let media: Media | undefined;
  if (post.media) {
    const { sha256: _sha, ...rest } = post.media;
    media = compact(file ? { ...rest, size: file.size } : rest);
  }
  // Adapters may hand over nulls (GramJS leaves absent fields null) and "" for no language: absent here.
  const entities = post.entities.map((e) => compact(e.language === "" ? { ...e, language: undefined } : e));
  return stripUndefined({
    v: MANIFEST_VERSION,
    chatId: post.chatId,
    id: post.id,
    date: post.date,
    groupedId: post.groupedId,
    text: post.text,
    entities,
    replyTo: post.replyTo ?? undefined,
    noforwards: post.noforwards,
    linkPreview: post.linkPreview,
    invertMedia: post.invertMedia ?? undefined,
    postAuthor: post.postAuthor ?? undefined,
    media,
    file: file?.file,
    sha256: file?.sha256,
    thumb: file?.thumb,
  });
}

/** The post a manifest line describes; its media carries the file's SHA-256. */
export function postOf(entry: ManifestEntry): Post {
  const media = entry.media ? stripUndefined({ ...entry.media, sha256: entry.sha256 }) : undefined;
  return stripUndefined({
    chatId: entry.chatId,
    id: entry.id,
    date: entry.date,
    groupedId: entry.groupedId,
    text: entry.text,
    entities: entry.entities,
    media,
    replyTo: entry.replyTo,
    noforwards: entry.noforwards,
    linkPreview: entry.linkPreview,
    invertMedia: entry.invertMedia,
    postAuthor: entry.postAuthor,
  }) as Post;
}

/** Parse a manifest's text; a bad line is a UsageError naming the file and line. */
export function parseManifest(text: string, file: string): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      // A crash while appending can leave a cut last line: it was never acknowledged, so drop it.
      if (i === lines.length - 1 && !text.endsWith("\n")) break;
      throw new UsageError(`${file}:${i + 1}: malformed manifest line (${(e as Error).message})`);
    }
    const entry = value as ManifestEntry;
    if (typeof entry !== "object" || entry === null || typeof entry.id !== "number" || typeof entry.chatId !== "string") {
      throw new UsageError(`${file}:${i + 1}: not a manifest entry (needs id and chatId)`);
    }
    if (entry.v > MANIFEST_VERSION) {
      throw new UsageError(`${file}:${i + 1}: manifest version ${entry.v} is newer than this tgrelay (${MANIFEST_VERSION})`);
    }
    entries.push(entry);
  }
  return entries;
}

/** Read the manifest of a chat folder; [] when there is none yet. */
export async function readManifest(folder: string): Promise<ManifestEntry[]> {
  const file = path.join(folder, MANIFEST);
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  return parseManifest(text, file);
}

/** Serialise entries as manifest lines. */
export function manifestLines(entries: readonly ManifestEntry[]): string {
  return entries.map((e) => JSON.stringify(e) + "\n").join("");
}

/** A copy without null or undefined values, nested objects too (arrays are kept as they are, items compacted). */
function compact<T>(o: T): T {
  if (Array.isArray(o)) return o.map((x) => compact(x)) as T;
  if (o === null || typeof o !== "object" || Buffer.isBuffer(o)) return o;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o as object)) if (v !== undefined && v !== null) out[k] = compact(v);
  return out as T;
}

function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) out[k] = v;
  return out as T;
}
