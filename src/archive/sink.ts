/**
 * The archive target `dir:PATH`: a local folder that holds, per source chat, one file per media item and
 * a manifest of every post. Delivering is idempotent: a re-run adds only what is missing and never
 * rewrites a complete file, so an archive can be resumed or topped up at any time.
 */
import { existsSync, mkdirSync, promises as fs, readFileSync } from "node:fs";
import path from "node:path";
import { Observable } from "rxjs";
import type { Batch, Loaded, Post } from "../model/index.js";
import { fileOf } from "../model/index.js";
import type { DeliverContext, Delivery, Sink } from "../ports.js";
import { hashFile, isFile, writeAtomic } from "./files.js";
import { entryOf, MANIFEST, manifestLines, parseManifest, type ManifestEntry } from "./manifest.js";
import { chatFolderName, mediaFileName, thumbFileName } from "./names.js";
import { DIR_PREFIX, dirPath } from "./target.js";

/** Whether a post has a file to archive (a poll is media without a file). */
export function hasFile(post: Post): boolean {
  return post.media !== undefined && post.media.kind !== "poll";
}

/** What the sink knows of one chat folder. */
interface ChatState {
  readonly chatId: string;
  readonly folder: string;
  /** Archived posts by id. */
  readonly entries: Map<number, ManifestEntry>;
  /** Highest archived id: new lines above it are appended, others make the manifest be rewritten in order. */
  lastId: number;
  /** The manifest ends in a cut line (a crash mid-append): rewrite it before the next append. */
  rewrite: boolean;
  /** Deliveries to one folder run one at a time. */
  queue: Promise<unknown>;
}

/** The archive target. One instance may receive posts of many source chats: each gets its own folder. */
export class ArchiveSink implements Sink {
  /** "dir:" and the absolute root folder. */
  readonly target: string;
  /** The absolute root folder. */
  readonly root: string;
  readonly #chats = new Map<string, ChatState>();

  constructor(spec: string) {
    this.root = dirPath(spec);
    this.target = DIR_PREFIX + this.root;
  }

  /** The folder that holds `chatId`'s posts. */
  folderOf(chatId: string): string {
    return path.join(this.root, chatFolderName(chatId));
  }

  /** True when some post of the batch has a file that is not archived yet. */
  needsBytes(batch: Batch): boolean {
    return batch.posts.some((p) => {
      if (!hasFile(p)) return false;
      const chat = this.#chat(p.chatId);
      if (chat.entries.has(p.id)) return false;
      // A complete file without its manifest line (a crash in between) is hashed, not downloaded.
      return !existsSync(path.join(chat.folder, mediaFileName(p)));
    });
  }

  /** Archive the batch: files first, then their manifest lines. Emits one Delivery keyed by source id. */
  deliver(loaded: Loaded, _ctx: DeliverContext): Observable<Delivery> {
    return new Observable<Delivery>((subscriber) => {
      const abort = new AbortController();
      const posts = loaded.batch.posts;
      const chat = this.#chat(posts[0]!.chatId);
      const run = chat.queue.then(() => this.#deliver(chat, loaded, abort.signal));
      chat.queue = run.catch(() => undefined);
      run.then(
        (d) => {
          subscriber.next(d);
          subscriber.complete();
        },
        (e: unknown) => subscriber.error(e),
      );
      return () => abort.abort();
    });
  }

  async #deliver(chat: ChatState, loaded: Loaded, signal: AbortSignal): Promise<Delivery> {
    const ids = new Map<number, number[]>();
    const skipped: { postId: number; reason: string }[] = [];
    const warnings: string[] = [];
    const fresh: ManifestEntry[] = [];
    let already = 0;
    for (const post of loaded.batch.posts) {
      signal.throwIfAborted();
      if (post.chatId !== chat.chatId) throw new RangeError("a batch holds posts of one chat");
      if (chat.entries.has(post.id)) {
        already++;
        ids.set(post.id, [post.id]);
        continue;
      }
      if (!hasFile(post)) {
        fresh.push(entryOf(post));
        ids.set(post.id, [post.id]);
        continue;
      }
      await fs.mkdir(chat.folder, { recursive: true });
      const name = mediaFileName(post);
      const dest = path.join(chat.folder, name);
      const file = fileOf(loaded, post.id);
      let written;
      if (await isFile(dest)) {
        written = await hashFile(dest); // complete already: never rewrite it
      } else if (file) {
        written = await writeAtomic(dest, file.data, post.date, signal);
      } else {
        skipped.push({ postId: post.id, reason: "no bytes were downloaded for its media" });
        continue;
      }
      let thumb: string | undefined;
      if (file?.thumb) {
        thumb = thumbFileName(post);
        const thumbPath = path.join(chat.folder, thumb);
        if (!(await isFile(thumbPath))) {
          await writeAtomic(thumbPath, { kind: "memory", bytes: file.thumb }, post.date, signal);
        }
      } else if (await isFile(path.join(chat.folder, thumbFileName(post)))) {
        thumb = thumbFileName(post);
      }
      if (post.media!.size > 0 && written.size !== post.media!.size) {
        warnings.push(`post ${post.id}: archived ${written.size} bytes, the source said ${post.media!.size}`);
      }
      fresh.push(entryOf(post, { file: name, sha256: written.sha256, size: written.size, thumb }));
      ids.set(post.id, [post.id]);
    }
    signal.throwIfAborted();
    if (fresh.length > 0) await this.#record(chat, fresh);
    const delivery: Delivery = {
      target: this.target,
      strategy: "archive",
      ids,
      ...(already === loaded.batch.posts.length ? { duplicate: true } : {}),
      ...(skipped.length > 0 ? { skipped } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
    return delivery;
  }

  /** Add lines to the manifest: appended when they come after the last one, else the file is rewritten in order. */
  async #record(chat: ChatState, fresh: ManifestEntry[]): Promise<void> {
    await fs.mkdir(chat.folder, { recursive: true });
    const file = path.join(chat.folder, MANIFEST);
    const inOrder = fresh.every((e, i) => e.id > (i === 0 ? chat.lastId : fresh[i - 1]!.id));
    for (const e of fresh) chat.entries.set(e.id, e);
    if (inOrder && !chat.rewrite) {
      await fs.appendFile(file, manifestLines(fresh));
    } else {
      const all = [...chat.entries.values()].sort((a, b) => a.id - b.id);
      const part = file + ".part";
      await fs.writeFile(part, manifestLines(all));
      await fs.rename(part, file);
      chat.rewrite = false;
    }
    for (const e of fresh) if (e.id > chat.lastId) chat.lastId = e.id;
  }

  /** The state of a chat folder, read from its manifest the first time (synchronously: once per chat). */
  #chat(chatId: string): ChatState {
    let chat = this.#chats.get(chatId);
    if (chat) return chat;
    const folder = this.folderOf(chatId);
    const file = path.join(folder, MANIFEST);
    let text = "";
    if (existsSync(file)) text = readFileSync(file, "utf8");
    const entries = new Map<number, ManifestEntry>();
    let lastId = Number.NEGATIVE_INFINITY;
    for (const e of parseManifest(text, file)) {
      entries.set(e.id, e);
      if (e.id > lastId) lastId = e.id;
    }
    const lastLineCut = text !== "" && !text.endsWith("\n");
    chat = { chatId, folder, entries, lastId, rewrite: lastLineCut, queue: Promise.resolve() };
    this.#chats.set(chatId, chat);
    return chat;
  }
}

/** The archive target for "dir:PATH"; the folder is created when it does not exist. */
export function archiveSink(spec: string): ArchiveSink {
  const sink = new ArchiveSink(spec);
  mkdirSync(sink.root, { recursive: true });
  return sink;
}
