/**
 * The archive target `dir:PATH`: a local folder that holds, per source chat, one file per media item and
 * a manifest of every post. Delivering is idempotent: a re-run adds only what is missing and never
 * rewrites a complete file, so an archive can be resumed or topped up at any time.
 */
import { existsSync, mkdirSync, promises as fs, readFileSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import path from "node:path";
import { Observable } from "rxjs";
import type { Batch, Loaded, Post } from "../model/index.js";
import { fileOf } from "../model/index.js";
import type { DeliverContext, Delivery, Sink } from "../ports.js";
import { hashFile, isFile, PART, writeAtomic } from "./files.js";
import { entryOf, MANIFEST, manifestLines, parseManifest, type ManifestEntry } from "./manifest.js";
import { lockFolder, unlockFolder } from "./lock.js";
import { chatFolderName, mediaFileName, thumbFileName } from "./names.js";
import { DIR_PREFIX, dirPath } from "./target.js";

/** Whether a post has a file to archive (a poll is media without a file). */
export function hasFile(post: Post): boolean {
  return post.media !== undefined && post.media.kind !== "poll";
}

export interface ArchiveSinkOptions {
  /**
   * Flush each file to the disk before its manifest line is written (default true), so a line never
   * outlives its file's bytes through a power cut. Off: faster on slow disks, safe against crashes of
   * the process but not of the machine.
   */
  readonly fsync?: boolean;
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
  /** The manifest opened for appending, once the first line is written. */
  handle?: FileHandle;
  /** The folder exists (made once, not per post). */
  made?: boolean;
  /** The first #mkdir under way (album items arrive together: one of them makes, locks and sweeps). */
  making?: Promise<void>;
  /** Folders lock() made only to hold the lock: close() removes them again when nothing was archived. */
  madeForLock?: readonly string[];
}

/** The archive target. One instance may receive posts of many source chats: each gets its own folder. */
export class ArchiveSink implements Sink {
  /** "dir:" and the absolute root folder. */
  readonly target: string;
  /** The absolute root folder. */
  readonly root: string;
  readonly #chats = new Map<string, ChatState>();
  readonly #sync: boolean;

  constructor(spec: string, options: ArchiveSinkOptions = {}) {
    this.root = dirPath(spec);
    this.target = DIR_PREFIX + this.root;
    this.#sync = options.fsync ?? true;
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
      // A complete file without its manifest line (a crash in between) is hashed, not downloaded...
      if (!existsSync(path.join(chat.folder, mediaFileName(p)))) return true;
      // ...unless its thumbnail is not there yet (a crash between the two writes): that comes with the bytes.
      return p.media?.thumbnail !== undefined && !existsSync(path.join(chat.folder, thumbFileName(p)));
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
    const posts = loaded.batch.posts;
    signal.throwIfAborted();
    if (posts.some((p) => p.chatId !== chat.chatId)) throw new RangeError("a batch holds posts of one chat");
    // The files of an album are written side by side (their syncs overlap); lines keep the batch order.
    const outcomes = await Promise.all(posts.map((post) => this.#archivePost(chat, post, loaded, signal)));
    signal.throwIfAborted();
    const ids = new Map<number, number[]>();
    const skipped: { postId: number; reason: string }[] = [];
    const warnings: string[] = [];
    const fresh: ManifestEntry[] = [];
    let already = 0;
    outcomes.forEach((o, i) => {
      const id = posts[i]!.id;
      if (o.kind === "skipped") {
        skipped.push({ postId: id, reason: o.reason });
        return;
      }
      ids.set(id, [id]);
      if (o.kind === "already") already++;
      else fresh.push(o.entry);
      if (o.kind === "new" && o.warning) warnings.push(o.warning);
    });
    if (fresh.length > 0) await this.#record(chat, fresh);
    const delivery: Delivery = {
      target: this.target,
      strategy: "archive",
      ids,
      ...(already === posts.length ? { duplicate: true } : {}),
      ...(skipped.length > 0 ? { skipped } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
    return delivery;
  }

  /** Write one post's file (and thumbnail) unless it is there already; its manifest line is left to the caller. */
  async #archivePost(
    chat: ChatState,
    post: Post,
    loaded: Loaded,
    signal: AbortSignal,
  ): Promise<{ kind: "already" } | { kind: "skipped"; reason: string } | { kind: "new"; entry: ManifestEntry; warning?: string }> {
    if (chat.entries.has(post.id)) return { kind: "already" };
    if (!hasFile(post)) return { kind: "new", entry: entryOf(post) };
    await this.#mkdir(chat);
    const name = mediaFileName(post);
    const dest = path.join(chat.folder, name);
    const file = fileOf(loaded, post.id);
    let written;
    if (await isFile(dest)) {
      written = await hashFile(dest); // complete already: never rewrite it
    } else if (file) {
      written = await writeAtomic(dest, file.data, post.date, { signal, sync: this.#sync });
    } else {
      return { kind: "skipped", reason: "no bytes were downloaded for its media" };
    }
    let thumb: string | undefined;
    const thumbPath = path.join(chat.folder, thumbFileName(post));
    if (file?.thumb) {
      thumb = thumbFileName(post);
      if (!(await isFile(thumbPath))) {
        await writeAtomic(thumbPath, { kind: "memory", bytes: file.thumb }, post.date, { signal, sync: this.#sync });
      }
    } else if (await isFile(thumbPath)) {
      thumb = thumbFileName(post);
    }
    const entry = entryOf(post, { file: name, sha256: written.sha256, size: written.size, ...(thumb ? { thumb } : {}) });
    const expected = post.media!.size;
    return expected > 0 && written.size !== expected
      ? { kind: "new", entry, warning: `post ${post.id}: archived ${written.size} bytes, the source said ${expected}` }
      : { kind: "new", entry };
  }

  /** Add lines to the manifest: appended when they come after the last one, else the file is rewritten in order. */
  async #record(chat: ChatState, fresh: ManifestEntry[]): Promise<void> {
    await this.#mkdir(chat);
    const file = path.join(chat.folder, MANIFEST);
    const inOrder = fresh.every((e, i) => e.id > (i === 0 ? chat.lastId : fresh[i - 1]!.id));
    for (const e of fresh) chat.entries.set(e.id, e);
    if (inOrder && !chat.rewrite) {
      chat.handle ??= await fs.open(file, "a");
      await chat.handle.write(manifestLines(fresh));
    } else {
      const all = [...chat.entries.values()].sort((a, b) => a.id - b.id);
      const part = file + ".part";
      await fs.writeFile(part, manifestLines(all));
      await chat.handle?.close();
      chat.handle = undefined;
      await fs.rename(part, file);
      chat.rewrite = false;
    }
    for (const e of fresh) if (e.id > chat.lastId) chat.lastId = e.id;
  }

  async #mkdir(chat: ChatState): Promise<void> {
    if (chat.made) return;
    chat.making ??= (async () => {
      await fs.mkdir(chat.folder, { recursive: true });
      await lockFolder(chat.folder);
      // Half-written files of a writer that died (we hold the folder's lock now): none of them is archived.
      for (const name of await fs.readdir(chat.folder)) {
        if (name.endsWith(PART)) await fs.rm(path.join(chat.folder, name), { force: true });
      }
      chat.made = true;
    })().finally(() => {
      chat.making = undefined;
    });
    await chat.making;
  }

  /**
   * Take the lock of `chatId`'s folder now, before anything is read or sent: a folder another live process
   * writes is refused at once (UsageError) rather than after the other targets got their posts. The lock
   * is kept until close(); a folder made for it is removed by close() if nothing was archived in it.
   */
  async lock(chatId: string): Promise<void> {
    const chat = this.#chat(chatId);
    if (chat.made) return;
    const made: string[] = [];
    for (let dir = chat.folder; !existsSync(dir) && dir !== path.dirname(dir); dir = path.dirname(dir)) made.push(dir);
    await this.#mkdir(chat);
    if (made.length) chat.madeForLock = made;
  }

  /** Close the manifests this sink keeps open and release its folder locks (it may still be used: they reopen). */
  async close(): Promise<void> {
    for (const chat of this.#chats.values()) {
      await chat.queue;
      await chat.handle?.close();
      chat.handle = undefined;
      if (chat.made) await unlockFolder(chat.folder);
      chat.made = false;
      // Innermost first; a folder something was written to is not empty and stays.
      for (const dir of chat.madeForLock ?? []) await fs.rmdir(dir).catch(() => undefined);
      chat.madeForLock = undefined;
    }
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
export function archiveSink(spec: string, options: ArchiveSinkOptions = {}): ArchiveSink {
  const sink = new ArchiveSink(spec, options);
  mkdirSync(sink.root, { recursive: true });
  return sink;
}
