/**
 * Source.download for Telegram: every file of a batch (and each document's thumbnail) downloaded at once,
 * under the account's cap on file requests. File references are refreshed by re-reading the message by id.
 */
import { Observable } from "rxjs";
import { rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { Api } from "telegram";
import type { Batch } from "../model/batch.js";
import type { Loaded, LoadedFile } from "../model/loaded.js";
import type { Post } from "../model/post.js";
import { SkipPost, TgRelayError } from "../model/errors.js";
import { documentThumb, largestPhotoSize, photoSizeBytes } from "./convert.js";
import { bytesOfFile, downloadFile, type FileSource, type PartFetcher } from "./download.js";
import { fileLocation, getFileRequest, messagesByIdRequest } from "./requests.js";
import { toRelayError } from "./errors.js";
import type { AccountContext, ChatInfo } from "./context.js";

/**
 * Re-read one message by id (fresh file references); undefined when it is gone. `transfer`: the re-read is
 * part of a download in progress, which pauses for a short flood wait rather than failing.
 */
export async function rereadMessage(ctx: AccountContext, chat: ChatInfo, id: number, signal?: AbortSignal, transfer = false): Promise<Api.Message | undefined> {
  const res = await ctx.call<Api.messages.TypeMessages>(messagesByIdRequest(chat.peer, [id]), { signal, transfer });
  if (res instanceof Api.messages.MessagesNotModified) return undefined;
  return res.messages.find((m): m is Api.Message => m instanceof Api.Message && m.id === id);
}

/** Where the main file of a message is, or undefined (no downloadable media). */
export function fileOfMessage(msg: Api.Message): { location: Api.TypeInputFileLocation; dcId: number; size: number } | undefined {
  const media = msg.media;
  if (media instanceof Api.MessageMediaPhoto && media.photo instanceof Api.Photo) {
    const big = largestPhotoSize(media.photo);
    if (!big) return undefined;
    return { location: fileLocation(media.photo, big.type), dcId: media.photo.dcId, size: photoSizeBytes(big) };
  }
  if (media instanceof Api.MessageMediaDocument && media.document instanceof Api.Document) {
    const d = media.document;
    return { location: fileLocation(d), dcId: d.dcId, size: Number(d.size.toString()) };
  }
  return undefined;
}

/** Where a document's thumbnail is, or undefined. */
export function thumbOfMessage(msg: Api.Message): { location: Api.TypeInputFileLocation; dcId: number; size: number } | undefined {
  const media = msg.media;
  if (!(media instanceof Api.MessageMediaDocument && media.document instanceof Api.Document)) return undefined;
  const t = documentThumb(media.document);
  if (!t) return undefined;
  return { location: fileLocation(media.document, t.type), dcId: media.document.dcId, size: photoSizeBytes(t) };
}

/**
 * The part fetcher over the account's client: GetFile asked on the file's DC, with our timeout, through the
 * account's cooldown gate. A short flood wait pauses the part (and with the gate, every part of the account)
 * and asks it again; a long one fails it with the FloodWait.
 */
export function clientPartFetcher(ctx: AccountContext): PartFetcher {
  return async (location, dcId, offset, limit, signal) =>
    bytesOfFile(await ctx.call<Api.upload.TypeFile>(getFileRequest(location, offset, limit), { dcId, signal, transfer: true }));
}

function messageOf(post: Post): Api.Message | undefined {
  return post.ref instanceof Api.Message ? post.ref : undefined;
}

/** Download every file of `batch`. Cold; unsubscribing aborts the transfers and removes temp files. */
export function loadBatch(ctx: AccountContext, chat: ChatInfo, batch: Batch, fetch: PartFetcher = clientPartFetcher(ctx)): Observable<Loaded> {
  return new Observable<Loaded>((subscriber) => {
    const abort = new AbortController();
    setMaxListeners(0, abort.signal);
    const files: LoadedFile[] = [];
    // Set once the Loaded is emitted: from then on its release() owns the files.
    let emitted = false;
    const paths: string[] = [];
    const release = async () => {
      await Promise.all(paths.splice(0).map((p) => rm(p, { force: true })));
    };
    const one = async (post: Post): Promise<void> => {
      if (!post.media || post.media.kind === "poll") return;
      let msg = messageOf(post) ?? (await rereadMessage(ctx, chat, post.id, abort.signal, true));
      if (!msg) throw new SkipPost(`message ${post.id} is gone from ${chat.chatId}`, [post.id]);
      const where = fileOfMessage(msg);
      if (!where) throw new SkipPost(`message ${post.id} has no downloadable media`, [post.id]);
      const refresh = async () => {
        const fresh = await rereadMessage(ctx, chat, post.id, abort.signal, true);
        const f = fresh && fileOfMessage(fresh);
        if (!fresh || !f) throw new SkipPost(`message ${post.id} was deleted during its download`, [post.id]);
        msg = fresh;
        return { location: f.location, dcId: f.dcId };
      };
      const src: FileSource = { ...where, refresh };
      const cfg = {
        inMemoryLimit: ctx.config.inMemoryLimitBytes,
        tmpDir: ctx.config.tmpDir,
        parallelism: ctx.config.parallelism,
        maxRefreshes: ctx.config.maxRefreshes,
        requests: ctx.fileRequests,
      };
      const name = `tgrelay-${chat.chatId}-${post.id}-${randomBytes(4).toString("hex")}`;
      const data = await downloadFile(src, fetch, cfg, abort.signal, name);
      if (data.kind === "file") {
        paths.push(data.path);
        if (abort.signal.aborted) await release();
      }
      let thumb: Buffer | undefined;
      const t = thumbOfMessage(msg);
      if (t && t.size > 0) {
        const tb = await downloadFile({ ...t, refresh: async () => { const f = await refresh(); const tt = thumbOfMessage(msg!); return tt ? { location: tt.location, dcId: tt.dcId } : f; } }, fetch, { ...cfg, inMemoryLimit: Infinity }, abort.signal);
        if (tb.kind === "memory") thumb = tb.bytes;
      }
      files.push(thumb ? { postId: post.id, data, size: where.size, thumb } : { postId: post.id, data, size: where.size });
    };
    Promise.all(batch.posts.map(one)).then(
      () => {
        if (abort.signal.aborted) return;
        const order = new Map(batch.posts.map((p, i) => [p.id, i]));
        files.sort((a, b) => order.get(a.postId)! - order.get(b.postId)!);
        const memoryBytes = files.reduce((n, f) => n + (f.data.kind === "memory" ? f.data.bytes.length : 0) + (f.thumb?.length ?? 0), 0);
        emitted = true;
        subscriber.next({ batch, files, memoryBytes, release });
        subscriber.complete();
      },
      (e) => {
        abort.abort(e);
        void release();
        if (subscriber.closed) return;
        const ids = batch.posts.map((p) => p.id);
        const err = e instanceof TgRelayError ? e : toRelayError(e, { account: ctx.name, method: "upload.GetFile", postIds: ids });
        subscriber.error(err instanceof SkipPost && err.postIds.length === 0 ? new SkipPost(err.reason, ids, { cause: e }) : err);
      },
    );
    return () => {
      if (!abort.signal.aborted && !emitted) {
        abort.abort(new Error("download unsubscribed"));
        void release();
      }
    };
  });
}
