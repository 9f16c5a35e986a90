/**
 * The Sink for a Telegram target. No parse mode ever: texts and entities go raw. Each batch goes one way
 * (forward, copy, reupload); an album is one ForwardMessages or one SendMultiMedia with each item's own caption,
 * entities and thumbnail. Random ids come from (job, source chat, source id, target, index), so a resend after
 * a crash meets RANDOM_ID_DUPLICATE, which counts as delivered: the target's recent history tells the ids.
 */
import { defer, firstValueFrom, Observable } from "rxjs";
import { Api } from "telegram";
import bigInt from "big-integer";
import type { Batch } from "../model/batch.js";
import type { Loaded, LoadedFile } from "../model/loaded.js";
import type { Post } from "../model/post.js";
import { Fatal, SkipPost, TgRelayError, Transient } from "../model/errors.js";
import type { DeliverContext, Delivery, Sink, Strategy } from "../ports.js";
import { TEXT_LIMIT, planCaption, type CaptionPolicy, type TextPart } from "./captionLimit.js";
import {
  entitiesToApi,
  mediaFromApi,
  pollInputMedia,
  referenceInputMedia,
  uploadedInputMedia,
  uploadName,
  type UserResolver,
} from "./convert.js";
import { classifyError, toRelayError } from "./errors.js";
import { loadBatch, rereadMessage } from "./load.js";
import { randomIdFor } from "./randomId.js";
import { uploadFile } from "./upload.js";
import {
  forwardRequest,
  recentHistoryRequest,
  sendAlbumRequest,
  sendMediaRequest,
  sendMessageRequest,
  sentIdsByRandomId,
  uploadMediaRequest,
  type AlbumItem,
} from "./requests.js";
import { chooseStrategy, hasFile, type Mode } from "./strategy.js";
import type { AccountContext, ChatInfo } from "./context.js";

/** Options of a Telegram sink. */
export interface SinkOptions {
  readonly mode?: Mode;
  /** What auto uses for unprotected posts (default copy). */
  readonly prefer?: "copy" | "forward";
  readonly skipProtected?: boolean;
  readonly silent?: boolean;
  /** Forward without the original author's name (Telegram's drop_author). */
  readonly dropAuthor?: boolean;
  /** Captions over the account's limit (default "split"). */
  readonly captionPolicy?: CaptionPolicy;
  /** Never forward (caption edits are on): auto and forward send copies. */
  readonly forceCopy?: boolean;
}

/** What one sent message is expected to look like in the target (to find it after RANDOM_ID_DUPLICATE). */
interface Expect {
  readonly postId: number;
  readonly randomId: bigInt.BigInteger;
  readonly text: string;
  readonly kind: string;
  readonly forwardOf?: { readonly chatId: string; readonly id: number };
}

/** `p`, or a rejection when `signal` aborts. */
function abortablePromise<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then((v) => (signal.removeEventListener("abort", onAbort), resolve(v)), (e) => (signal.removeEventListener("abort", onAbort), reject(e)));
  });
}

/** The kind a message shows in a target, as compared after a duplicate. */
function kindOfMessage(m: Api.Message): string {
  return mediaFromApi(m.media)?.kind ?? "text";
}

/**
 * The target ids of messages already posted with these random ids: the newest run of consecutive messages in
 * the target's recent history that matches every expected item (text and kind, or the forward's origin).
 */
export function matchDelivered(history: readonly Api.TypeMessage[], expect: readonly Expect[]): number[] | undefined {
  const msgs = history.filter((m): m is Api.Message => m instanceof Api.Message).sort((a, b) => a.id - b.id);
  const fits = (m: Api.Message, e: Expect): boolean => {
    if (e.forwardOf) {
      const f = m.fwdFrom;
      return f !== undefined && f.channelPost === e.forwardOf.id;
    }
    return (m.message ?? "") === e.text && kindOfMessage(m) === e.kind;
  };
  for (let start = msgs.length - expect.length; start >= 0; start--) {
    if (expect.every((e, i) => fits(msgs[start + i]!, e))) return expect.map((_, i) => msgs[start + i]!.id);
  }
  return undefined;
}

/** A Telegram channel or chat as a target of one account. */
export class TelegramSink implements Sink {
  readonly target: string;
  /** Uploads happen before DeliverContext.turn; only the posting requests wait for it. */
  readonly awaitsTurn = true;
  private readonly opts: Required<Omit<SinkOptions, "prefer">> & { prefer: "copy" | "forward" };

  constructor(
    private readonly ctx: AccountContext,
    private readonly chat: ChatInfo,
    private readonly chats: (chatId: string) => ChatInfo | undefined,
    opts: SinkOptions = {},
  ) {
    this.target = chat.chatId;
    const mode = opts.mode ?? "auto";
    this.opts = {
      mode: opts.forceCopy && mode === "forward" ? "copy" : mode,
      prefer: opts.forceCopy ? "copy" : (opts.prefer ?? "copy"),
      skipProtected: opts.skipProtected ?? false,
      silent: opts.silent ?? false,
      dropAuthor: opts.dropAuthor ?? false,
      captionPolicy: opts.captionPolicy ?? "split",
      forceCopy: opts.forceCopy ?? false,
    };
  }

  private choose(batch: Batch) {
    return chooseStrategy(batch.posts, { mode: this.opts.mode, prefer: this.opts.prefer, skipProtected: this.opts.skipProtected });
  }

  needsBytes(batch: Batch): boolean {
    const c = this.choose(batch);
    return c.strategy === "reupload" && c.send.some(hasFile);
  }

  deliver(loaded: Loaded, dctx: DeliverContext): Observable<Delivery> {
    return defer(() => {
      const abort = new AbortController();
      return new Observable<Delivery>((sub) => {
        this.deliverNow(loaded, dctx, abort.signal).then(
          (d) => {
            sub.next(d);
            sub.complete();
          },
          (e) => sub.error(e instanceof TgRelayError ? e : toRelayError(e, { account: this.ctx.name, method: "send", postIds: loaded.batch.posts.map((p) => p.id) })),
        );
        return () => abort.abort(new Error("deliver unsubscribed"));
      });
    });
  }

  private resolveUser: UserResolver = (userId) => {
    if (userId === this.ctx.self.id) return new Api.InputUserSelf();
    try {
      const p = (this.ctx.client as unknown as { _entityCache: { get(k: string): unknown } })._entityCache.get(userId);
      if (p instanceof Api.InputPeerUser) return new Api.InputUser({ userId: p.userId, accessHash: p.accessHash });
      if (p instanceof Api.InputPeerSelf) return new Api.InputUserSelf();
    } catch {
      /* not cached */
    }
    return undefined;
  };

  /** Deliver, switching to reupload once when Telegram refuses a forward/copy as protected. */
  private async deliverNow(loaded: Loaded, dctx: DeliverContext, signal: AbortSignal): Promise<Delivery> {
    const choice = this.choose(loaded.batch);
    const warnings: string[] = [];
    if (choice.send.length === 0) {
      return { target: this.target, strategy: choice.strategy, ids: new Map(), skipped: choice.skipped, warnings };
    }
    let strategy: Exclude<Strategy, "archive"> = choice.strategy;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.send(strategy, choice.send, loaded, dctx, warnings, signal);
        return { target: this.target, strategy, ids: res.ids, duplicate: res.duplicate || undefined, skipped: choice.skipped.length ? choice.skipped : undefined, warnings: warnings.length ? warnings : undefined };
      } catch (e) {
        const c = classifyError(e);
        if (c.kind === "restricted" && strategy !== "reupload" && attempt === 0) {
          if (this.opts.mode === "forward" || this.opts.mode === "copy") {
            throw new SkipPost(`${c.name}: the source is protected; mode ${this.opts.mode} cannot send it`, choice.send.map((p) => p.id), { cause: e });
          }
          warnings.push(`${c.name} on ${strategy}: sent by reupload instead`);
          strategy = "reupload";
          continue;
        }
        if (c.kind === "restricted") throw new SkipPost(c.name, choice.send.map((p) => p.id), { cause: e });
        throw e;
      }
    }
  }

  private replyTo(posts: readonly Post[], dctx: DeliverContext, warnings: string[]): number | undefined {
    const p = posts.find((x) => x.replyTo !== undefined);
    if (!p) return undefined;
    const id = dctx.replyTarget(p.replyTo!);
    if (id === undefined) warnings.push(`post ${p.id} replies to ${p.replyTo}, which is not in the target: sent without the reply link`);
    return id;
  }

  private rid(dctx: DeliverContext, post: Post, index: number): bigInt.BigInteger {
    return randomIdFor({ sourceChat: post.chatId, sourceId: post.id, target: this.target, index });
  }

  private entities(part: TextPart, postId: number, warnings: string[]): Api.TypeMessageEntity[] {
    const { entities, dropped } = entitiesToApi(part.entities, this.resolveUser);
    if (dropped.length > 0) warnings.push(`post ${postId}: ${dropped.length} mention link(s) dropped, the user is unknown to this account`);
    if (!this.ctx.self.premium && part.entities.some((e) => e.type === "customEmoji")) {
      warnings.push(`post ${postId}: custom emoji need a Premium sender; Telegram shows them as plain emoji`);
    }
    return entities;
  }

  /** Run one send request; RANDOM_ID_DUPLICATE -> look the messages up in the target's history. */
  private async invokeSend(req: Api.AnyRequest, expect: readonly Expect[], signal: AbortSignal, turn: () => Promise<void>): Promise<{ ids: number[]; duplicate: boolean }> {
    await turn();
    try {
      const res = await this.ctx.call<Api.TypeUpdates>(req, { signal });
      if (res instanceof Api.UpdateShortSentMessage) return { ids: [res.id], duplicate: false };
      const byRandom = sentIdsByRandomId(res);
      const ids = expect.map((e) => byRandom.get(e.randomId.toString()));
      if (ids.some((i) => i === undefined)) throw new Transient(`${req.className}: the answer lacks the sent message ids`, "NO_MESSAGE_IDS");
      return { ids: ids as number[], duplicate: false };
    } catch (e) {
      if (classifyError(e).kind !== "duplicate") throw e;
      const hist = await this.ctx.call<Api.messages.TypeMessages>(recentHistoryRequest(this.chat.peer, 100), { signal });
      const msgs = hist instanceof Api.messages.MessagesNotModified ? [] : hist.messages;
      const ids = matchDelivered(msgs, expect);
      if (!ids) {
        this.ctx.log.warn({ account: this.ctx.name, target: this.target, posts: expect.map((x) => x.postId) }, "RANDOM_ID_DUPLICATE but the messages were not found in the target's recent history");
        return { ids: [], duplicate: true };
      }
      return { ids, duplicate: true };
    }
  }

  /** Send `posts` (one batch) with `strategy`. */
  private async send(
    strategy: Exclude<Strategy, "archive">,
    posts: readonly Post[],
    loaded: Loaded,
    dctx: DeliverContext,
    warnings: string[],
    signal: AbortSignal,
  ): Promise<{ ids: Map<number, number[]>; duplicate: boolean }> {
    const ids = new Map<number, number[]>();
    let duplicate = false;
    // Strict order across accounts: everything before the first posting request (uploads) runs now; posting waits.
    let turnWait: Promise<void> | undefined;
    const turn = () =>
      (turnWait ??= dctx.turn
        ? abortablePromise(firstValueFrom(dctx.turn, { defaultValue: undefined }).then(() => undefined), signal)
        : Promise.resolve());
    const add = (postId: number, id: number) => ids.set(postId, [...(ids.get(postId) ?? []), id]);
    // A forward cannot be a reply (ForwardMessages has no reply_to in layer 198): say so instead of losing it quietly.
    if (strategy === "forward") {
      for (const p of posts) if (p.replyTo !== undefined) warnings.push(`post ${p.id} was forwarded; a forward cannot carry its reply to ${p.replyTo}`);
    }
    // The reply target is read from the journal only after our turn: in strict order across accounts, the
    // replied-to post may be sent by another account just before us, and is committed only when our turn comes.
    let replyResolved: Promise<{ silent?: boolean; replyToMsgId?: number }> | undefined;
    const common = () =>
      (replyResolved ??= turn().then(() => ({ silent: this.opts.silent, replyToMsgId: this.replyTo(posts, dctx, warnings) })));

    if (strategy === "forward") {
      const sorted = [...posts].sort((a, b) => a.id - b.id);
      const from = this.sourcePeer(sorted[0]!);
      const rids = sorted.map((p) => this.rid(dctx, p, 0));
      const req = forwardRequest(from, this.chat.peer, sorted.map((p) => p.id), rids, { silent: this.opts.silent, dropAuthor: this.opts.dropAuthor });
      const expect = sorted.map((p, i) => ({ postId: p.id, randomId: rids[i]!, text: p.text, kind: p.media?.kind ?? "text", forwardOf: { chatId: p.chatId, id: p.id } }));
      const r = await this.invokeSend(req, expect, signal, turn);
      r.ids.forEach((id, i) => add(sorted[i]!.id, id));
      return { ids, duplicate: r.duplicate };
    }

    // Copy and reupload: the media of each post, then captions under the policy.
    const limit = this.ctx.config.captionLimit;
    const mediaOf = async (p: Post): Promise<Api.TypeInputMedia | undefined> => {
      if (!p.media) return undefined;
      if (p.media.kind === "poll") return pollInputMedia(p.media.poll!);
      if (strategy === "copy") {
        const msg = p.ref as Api.Message;
        return referenceInputMedia(msg.media!, p.media.spoiler);
      }
      return this.uploaded(p, loaded, signal);
    };

    const plans = posts.map((p) => {
      const plan = planCaption({ text: p.text, entities: p.entities }, p.media ? limit : TEXT_LIMIT, this.opts.captionPolicy, p.id);
      if (plan.skipReason) throw new SkipPost(plan.skipReason, posts.map((x) => x.id));
      if (plan.warning) warnings.push(plan.warning);
      return plan;
    });

    const sendTails = async () => {
      for (let i = 0; i < posts.length; i++) {
        const p = posts[i]!;
        let index = 1;
        for (const t of plans[i]!.tail) {
          const rid = this.rid(dctx, p, index++);
          const req = sendMessageRequest(this.chat.peer, t.text, this.entities(t, p.id, warnings), rid, { silent: this.opts.silent, linkPreview: false });
          const r = await this.invokeSend(req, [{ postId: p.id, randomId: rid, text: t.text, kind: "text" }], signal, turn);
          duplicate ||= r.duplicate;
          r.ids.forEach((id) => add(p.id, id));
        }
      }
    };

    const withRefresh = async <T>(fn: () => Promise<T>): Promise<T> => {
      for (let i = 0; ; i++) {
        try {
          return await fn();
        } catch (e) {
          if (classifyError(e).kind !== "refresh" || i >= 2) throw e;
          if (strategy === "copy") await this.refreshRefs(posts, signal); // fresh references of the source messages
          // reupload: the reference UploadMedia gave has aged (e.g. while the post waited for its turn):
          // upload the batch's media again from the bytes still held, then the same send again.
          else this.ctx.uploads.delete(loaded);
        }
      }
    };

    // One post goes alone even when it belongs to an album (the rest skipped or out of range): SendMultiMedia needs 2.
    if (posts.length === 1) {
      const p = posts[0]!;
      const head = plans[0]!.head;
      const rid = this.rid(dctx, p, 0);
      const r = await withRefresh(async () => {
        const media = await mediaOf(p);
        const ents = this.entities(head, p.id, warnings);
        const opts = await common();
        const req = media
          ? sendMediaRequest(this.chat.peer, media, head.text, ents, rid, { ...opts, invertMedia: p.invertMedia })
          : sendMessageRequest(this.chat.peer, head.text, ents, rid, { ...opts, linkPreview: p.linkPreview, invertMedia: p.invertMedia });
        return this.invokeSend(req, [{ postId: p.id, randomId: rid, text: head.text, kind: p.media?.kind ?? "text" }], signal, turn);
      });
      duplicate ||= r.duplicate;
      r.ids.forEach((id) => add(p.id, id));
      await sendTails();
      return { ids, duplicate };
    }

    // An album: one SendMultiMedia, each item with its own caption and entities.
    const noMedia = posts.filter((p) => !p.media || p.media.kind === "poll");
    if (noMedia.length > 0) throw new SkipPost(`album items without album media: ${noMedia.map((p) => p.id).join(", ")}`, posts.map((p) => p.id));
    const rids = posts.map((p) => this.rid(dctx, p, 0));
    const r = await withRefresh(async () => {
      // The items' uploads run side by side; the album keeps source order.
      const medias = await Promise.all(posts.map(mediaOf));
      const items: AlbumItem[] = posts.map((p, i) => {
        const head = plans[i]!.head;
        return { media: medias[i]!, caption: head.text, entities: this.entities(head, p.id, warnings), randomId: rids[i]! };
      });
      const req = sendAlbumRequest(this.chat.peer, items, { ...(await common()), invertMedia: posts.some((p) => p.invertMedia) });
      const expect = posts.map((p, i) => ({ postId: p.id, randomId: rids[i]!, text: plans[i]!.head.text, kind: p.media!.kind }));
      return this.invokeSend(req, expect, signal, turn);
    });
    duplicate ||= r.duplicate;
    r.ids.forEach((id, i) => add(posts[i]!.id, id));
    await sendTails();
    return { ids, duplicate };
  }

  private sourcePeer(post: Post): Api.TypeInputPeer {
    const chat = this.chats(post.chatId);
    if (chat) return chat.peer;
    throw new Fatal(`source chat ${post.chatId} is unknown to account ${this.ctx.name} (resolve it first)`, "SOURCE_UNKNOWN");
  }

  /** Re-read the posts' messages (fresh file references) and put them into the posts' refs. */
  private async refreshRefs(posts: readonly Post[], signal: AbortSignal): Promise<void> {
    for (const p of posts) {
      const chat = this.chats(p.chatId);
      if (!chat || !(p.ref instanceof Api.Message)) continue;
      const fresh = await rereadMessage(this.ctx, chat, p.id, signal);
      if (!fresh) throw new SkipPost(`message ${p.id} is gone from ${p.chatId}`, [p.id]);
      (p.ref as Api.Message).media = fresh.media;
    }
  }

  /** The uploaded media of a post: uploaded once per Loaded batch, reused for every target of the account. */
  private uploaded(p: Post, loaded: Loaded, signal: AbortSignal): Promise<Api.TypeInputMedia> {
    let perBatch = this.ctx.uploads.get(loaded);
    if (!perBatch) {
      perBatch = new Map();
      this.ctx.uploads.set(loaded, perBatch);
    }
    let job = perBatch.get(p.id);
    if (!job) {
      job = this.upload(p, loaded, signal);
      perBatch.set(p.id, job);
      job.catch(() => perBatch!.delete(p.id)); // a failed upload is tried again next time
    }
    return job;
  }

  private async fileFor(p: Post, loaded: Loaded): Promise<LoadedFile> {
    const have = loaded.files.find((f) => f.postId === p.id);
    if (have) return have;
    // The pipeline did not download (a forward/copy was refused as protected): fetch this post's bytes now.
    const chat = this.chats(p.chatId);
    if (!chat) throw new Fatal(`source chat ${p.chatId} is unknown to account ${this.ctx.name}`, "SOURCE_UNKNOWN");
    const mine = await firstValueFrom(loadBatch(this.ctx, chat, { posts: [p], seq: loaded.batch.seq }));
    const f = mine.files[0];
    if (!f) throw new SkipPost(`post ${p.id}: nothing to upload`, [p.id]);
    const prev = loaded.release;
    (loaded as { release: () => Promise<void> }).release = async () => {
      await prev();
      await mine.release();
    };
    return f;
  }

  private async upload(p: Post, loaded: Loaded, signal: AbortSignal): Promise<Api.TypeInputMedia> {
    const media = p.media!;
    const f = await this.fileFor(p, loaded);
    const name = uploadName(media, p.id);
    // Our own parts through the gated call (GramJS's uploadFile bypasses invoke and sleeps on flood waits by
    // itself); each part has our call timeout, so a paused upload is not cut off by a timeout on the whole.
    const input = await uploadFile(this.ctx, f.data, f.size, name, signal, { workers: 4 });
    let thumb: Api.TypeInputFile | undefined;
    if (f.thumb && media.kind !== "photo") {
      thumb = await uploadFile(this.ctx, { kind: "memory", bytes: f.thumb }, f.thumb.length, "thumb.jpg", signal, { workers: 1 });
    }
    // UploadMedia ends the upload: a short flood wait pauses it too, so the parts are not sent again.
    const res = await this.ctx.call<Api.TypeMessageMedia>(uploadMediaRequest(this.chat.peer, uploadedInputMedia(media, input, thumb)), { signal, transfer: true });
    return referenceInputMedia(res, media.spoiler);
  }
}
