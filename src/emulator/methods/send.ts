/**
 * Posting: messages.SendMessage, SendMedia, SendMultiMedia, UploadMedia and ForwardMessages, with Telegram's
 * rules and error names. Each answer is an Updates with an UpdateMessageID per randomId of the request.
 */
import { Api } from "telegram";
import bigInt from "big-integer";
import type { Entity } from "../../model/index.js";
import { entityFromRequest } from "../entities.js";
import { albumClass, mediaKind } from "../kinds.js";
import type { RefContext } from "../keys.js";
import { documentOf, photoOf } from "../media.js";
import type { ChatRec, MediaRec, MessageRec, WebPageRec } from "../records.js";
import { fail } from "../rpc.js";
import type { Call, Method, Server } from "../server.js";
import { newId, uploadedFile } from "../store.js";
import { channelTl, isAdmin, mediaTl, messageTl, userTl, usersOf } from "../tl.js";
import { checkMediaRef } from "./files.js";
import { readableChat, writableChat } from "./peers.js";

export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;
export const MAX_CAPTION_PREMIUM = 4096;
export const MAX_ALBUM = 10;
export const MAX_FORWARD = 100;

/** A message about to be posted. */
interface Draft {
  readonly randomId: string;
  readonly text: string;
  readonly entities: Entity[];
  readonly media?: MediaRec;
  readonly webpage?: WebPageRec;
  readonly groupedId?: string;
  readonly replyTo?: number;
  readonly invertMedia?: boolean;
  readonly fwdFrom?: MessageRec["fwdFrom"];
  readonly postAuthor?: string;
}

function entitiesOf(srv: Server, call: Call, text: string, tl: Api.TypeMessageEntity[] | undefined): Entity[] {
  const out: Entity[] = [];
  for (const e of tl ?? []) {
    if (e.offset < 0 || e.length <= 0 || e.offset + e.length > text.length) fail("ENTITY_BOUNDS_INVALID");
    const m = entityFromRequest(e, call.account.userId);
    // A mention by id needs the access hash this account was given for that user.
    if (e instanceof Api.InputMessageEntityMentionName && e.userId instanceof Api.InputUser && !srv.keys.checkAccessHash(call.account.name, "user", m.userId!, e.userId.accessHash)) {
      fail("ENTITY_MENTION_USER_INVALID");
    }
    // Custom emoji need Premium; Telegram drops them from other senders' messages.
    if (m.type === "customEmoji" && !call.account.premium) continue;
    out.push(m);
  }
  return out;
}

function checkCaption(call: Call, caption: string): void {
  if (caption.length > (call.account.premium ? MAX_CAPTION_PREMIUM : MAX_CAPTION)) fail("MEDIA_CAPTION_TOO_LONG");
}

function replyOf(srv: Server, chat: ChatRec, r: Api.TypeInputReplyTo | undefined): number | undefined {
  if (!(r instanceof Api.InputReplyToMessage)) return undefined;
  // A reply to a message that does not exist (any more) is posted without the reply, as Telegram does.
  return srv.world.message(chat.channelId, r.replyToMsgId) !== undefined ? r.replyToMsgId : undefined;
}

function webpageFor(srv: Server, text: string, entities: Entity[]): WebPageRec | undefined {
  const url = entities.find((e) => e.type === "textUrl")?.url ?? /https?:\/\/[^\s]+/.exec(text)?.[0];
  if (url === undefined) return undefined;
  try {
    new URL(url);
  } catch {
    return undefined;
  }
  return { id: newId(srv.world, "webpage"), url };
}

/** Protected content cannot leave its chat by reference. */
function checkForwardable(srv: Server, ctx: RefContext): void {
  if (ctx.channelId === "0") return;
  const chat = srv.world.chat(ctx.channelId);
  const msg = srv.world.message(ctx.channelId, ctx.msgId);
  if (chat?.noforwards || msg?.noforwards) fail("CHAT_FORWARDS_RESTRICTED");
}

/** The world media an InputMedia names, uploading or checking references as needed. */
function mediaOf(srv: Server, call: Call, input: Api.TypeInputMedia, allowUploaded: boolean, index?: number): { media?: MediaRec; webpage?: WebPageRec; ctx: RefContext } {
  const uploadCtx: RefContext = { channelId: "0", msgId: 0 };
  const date = srv.date();
  const dc = call.account.dc;
  if (input instanceof Api.InputMediaEmpty) fail("MEDIA_EMPTY");
  if (input instanceof Api.InputMediaUploadedPhoto) {
    if (!allowUploaded) fail("MEDIA_INVALID");
    const file = uploadedFile(srv.world, call.account.name, inputFile(input.file), input.file instanceof Api.InputFileBig);
    const photo = photoOf(srv.world, file, dc, date);
    return { media: { type: "photo", photoId: photo.id, ...(input.spoiler ? { spoiler: true } : {}) }, ctx: uploadCtx };
  }
  if (input instanceof Api.InputMediaUploadedDocument) {
    if (!allowUploaded) fail("MEDIA_INVALID");
    const file = uploadedFile(srv.world, call.account.name, inputFile(input.file), input.file instanceof Api.InputFileBig);
    const thumb = input.thumb ? uploadedFile(srv.world, call.account.name, inputFile(input.thumb), input.thumb instanceof Api.InputFileBig) : undefined;
    const doc = documentOf(srv.world, {
      file, dc, date, mimeType: input.mimeType || "application/octet-stream", attributes: input.attributes, thumb,
      forceFile: input.forceFile, nosound: input.nosoundVideo,
    });
    return { media: { type: "document", documentId: doc.id, ...(input.spoiler ? { spoiler: true } : {}) }, ctx: uploadCtx };
  }
  if (input instanceof Api.InputMediaPhoto) {
    if (!(input.id instanceof Api.InputPhoto)) fail("MEDIA_EMPTY");
    const id = input.id.id.toString();
    if (srv.world.photo(id) === undefined) fail("MEDIA_INVALID");
    const ctx = checkMediaRef(srv, call, "photo", id, input.id.accessHash, input.id.fileReference, "MEDIA_INVALID", index);
    checkForwardable(srv, ctx);
    return { media: { type: "photo", photoId: id, ...(input.spoiler ? { spoiler: true } : {}) }, ctx };
  }
  if (input instanceof Api.InputMediaDocument) {
    if (!(input.id instanceof Api.InputDocument)) fail("MEDIA_EMPTY");
    const id = input.id.id.toString();
    if (srv.world.document(id) === undefined) fail("MEDIA_INVALID");
    const ctx = checkMediaRef(srv, call, "document", id, input.id.accessHash, input.id.fileReference, "MEDIA_INVALID", index);
    checkForwardable(srv, ctx);
    return { media: { type: "document", documentId: id, ...(input.spoiler ? { spoiler: true } : {}) }, ctx };
  }
  if (input instanceof Api.InputMediaPoll) {
    const p = input.poll;
    if (p.answers.length < 2 || p.answers.length > 10) fail("POLL_ANSWERS_INVALID");
    const correct = (input.correctAnswers ?? []).map((b) => Buffer.from(b).toString("hex"));
    if (p.quiz && correct.length !== 1) fail("QUIZ_CORRECT_ANSWERS_EMPTY");
    return {
      media: {
        type: "poll",
        poll: {
          id: newId(srv.world, "poll"),
          question: p.question.text,
          answers: p.answers.map((a) => ({ text: a.text.text, option: Buffer.from(a.option).toString("hex") })),
          ...(p.closed ? { closed: true } : {}),
          ...(p.publicVoters ? { publicVoters: true } : {}),
          ...(p.multipleChoice ? { multipleChoice: true } : {}),
          ...(p.quiz ? { quiz: true } : {}),
          ...(correct.length > 0 ? { correctAnswers: correct } : {}),
          ...(input.solution != null ? { solution: input.solution } : {}),
          ...(p.closePeriod != null ? { closePeriod: p.closePeriod } : {}),
        },
      },
      ctx: uploadCtx,
    };
  }
  if (input instanceof Api.InputMediaWebPage) {
    return { webpage: { id: newId(srv.world, "webpage"), url: input.url }, ctx: uploadCtx };
  }
  return fail("MEDIA_INVALID");
}

function inputFile(f: Api.TypeInputFile): Api.InputFile | Api.InputFileBig {
  if (f instanceof Api.InputFile || f instanceof Api.InputFileBig) return f;
  return fail("FILE_PARTS_INVALID");
}

function randomIdOf(r: { toString(): string } | undefined): string {
  return r === undefined ? fail("RANDOM_ID_EMPTY") : r.toString();
}

function slowModeKey(chat: ChatRec, account: string): string {
  return `slowmode:${chat.channelId}:${account}`;
}

/** SLOWMODE_WAIT_X for a non-admin member of a supergroup that posted less than slow mode seconds ago. */
function checkSlowMode(srv: Server, call: Call, chat: ChatRec): void {
  if (chat.slowModeSeconds <= 0 || !chat.megagroup || isAdmin(chat, call.account.name)) return;
  const last = Number(srv.world.meta(slowModeKey(chat, call.account.name)) ?? "0");
  const left = last + chat.slowModeSeconds * 1000 - srv.now();
  if (left > 0) fail(`SLOWMODE_WAIT_${Math.ceil(left / 1000)}`, 420);
}

/** Post drafts as new messages of `chat`, atomically; RANDOM_ID_DUPLICATE when a randomId was used by this account. */
function post(srv: Server, call: Call, chat: ChatRec, drafts: Draft[]): Api.Updates {
  const name = call.account.name;
  const seen = new Set<string>();
  for (const d of drafts) {
    if (seen.has(d.randomId) || srv.world.randomId(name, d.randomId) !== undefined) fail("RANDOM_ID_DUPLICATE", 500);
    seen.add(d.randomId);
  }
  checkSlowMode(srv, call, chat);
  const posted = srv.world.tx(() => {
    const fresh = srv.world.chat(chat.channelId)!;
    const out: MessageRec[] = [];
    for (const d of drafts) {
      fresh.topId += 1;
      fresh.pts += 1;
      const m: MessageRec = {
        id: fresh.topId,
        date: srv.date(),
        sender: name,
        text: d.text,
        entities: d.entities,
        noforwards: false,
        ...(d.media ? { media: d.media } : {}),
        ...(d.webpage && !d.media ? { webpage: d.webpage } : {}),
        ...(d.groupedId ? { groupedId: d.groupedId } : {}),
        ...(d.replyTo !== undefined ? { replyTo: d.replyTo } : {}),
        ...(d.invertMedia ? { invertMedia: true } : {}),
        ...(d.fwdFrom ? { fwdFrom: d.fwdFrom } : {}),
        ...(d.postAuthor ? { postAuthor: d.postAuthor } : {}),
      };
      srv.world.putMessage(fresh.channelId, m);
      srv.world.putRandomId(name, d.randomId, fresh.channelId, m.id);
      out.push(m);
    }
    srv.world.putChat(fresh);
    if (fresh.slowModeSeconds > 0) srv.world.setMeta(slowModeKey(fresh, name), String(srv.now()));
    return { chat: fresh, messages: out };
  });
  const viewer = name;
  return new Api.Updates({
    updates: [
      ...posted.messages.map((m, i) => new Api.UpdateMessageID({ id: m.id, randomId: bigInt(drafts[i]!.randomId) })),
      ...posted.messages.map((m, i) => new Api.UpdateNewChannelMessage({
        message: messageTl(srv, posted.chat, m, viewer) as Api.Message,
        pts: posted.chat.pts - posted.messages.length + i + 1,
        ptsCount: 1,
      })),
    ],
    users: [userTl(srv, call.account, viewer), ...usersOf(srv, posted.chat, posted.messages, viewer).filter((u) => u.id.toString() !== call.account.userId)],
    chats: [channelTl(srv, posted.chat, viewer)],
    date: srv.date(),
    seq: 0,
  });
}

const sendMessage: Method = (srv, call, req: Api.messages.SendMessage) => {
  const chat = writableChat(srv, call, req.peer);
  if (req.message.trim() === "") fail("MESSAGE_EMPTY");
  if (req.message.length > MAX_TEXT) fail("MESSAGE_TOO_LONG");
  const entities = entitiesOf(srv, call, req.message, req.entities);
  const webpage = req.noWebpage ? undefined : webpageFor(srv, req.message, entities);
  return post(srv, call, chat, [{
    randomId: randomIdOf(req.randomId), text: req.message, entities, webpage, replyTo: replyOf(srv, chat, req.replyTo), invertMedia: req.invertMedia,
  }]);
};

const sendMedia: Method = (srv, call, req: Api.messages.SendMedia) => {
  const chat = writableChat(srv, call, req.peer);
  checkCaption(call, req.message);
  const entities = entitiesOf(srv, call, req.message, req.entities);
  const { media, webpage } = mediaOf(srv, call, req.media, true);
  if (webpage !== undefined && req.message.trim() === "") fail("MESSAGE_EMPTY");
  return post(srv, call, chat, [{
    randomId: randomIdOf(req.randomId), text: req.message, entities, media, webpage, replyTo: replyOf(srv, chat, req.replyTo), invertMedia: req.invertMedia,
  }]);
};

const sendMultiMedia: Method = (srv, call, req: Api.messages.SendMultiMedia) => {
  const chat = writableChat(srv, call, req.peer);
  if (req.multiMedia.length < 2 || req.multiMedia.length > MAX_ALBUM) fail("MULTI_MEDIA_TOO_LONG");
  const items = req.multiMedia.map((single, i) => {
    checkCaption(call, single.message);
    const entities = entitiesOf(srv, call, single.message, single.entities);
    const { media } = mediaOf(srv, call, single.media, false, i);
    if (media === undefined) fail("MEDIA_INVALID");
    const cls = albumClass(mediaKind(srv.world, media));
    if (cls === undefined) fail("MEDIA_INVALID");
    return { single, entities, media, cls };
  });
  if (new Set(items.map((x) => x.cls)).size > 1) fail("GROUPED_MEDIA_INVALID");
  const groupedId = newId(srv.world, "group");
  const replyTo = replyOf(srv, chat, req.replyTo);
  return post(srv, call, chat, items.map((x) => ({
    randomId: randomIdOf(x.single.randomId), text: x.single.message, entities: x.entities, media: x.media, groupedId, replyTo, invertMedia: req.invertMedia,
  })));
};

const uploadMedia: Method = (srv, call, req: Api.messages.UploadMedia) => {
  readableChat(srv, call, req.peer);
  const { media, ctx } = mediaOf(srv, call, req.media, true);
  if (media === undefined || media.type === "poll") fail("MEDIA_INVALID");
  return mediaTl(srv, media, call.account.name, ctx);
};

const forwardMessages: Method = (srv, call, req: Api.messages.ForwardMessages) => {
  const from = readableChat(srv, call, req.fromPeer);
  const to = writableChat(srv, call, req.toPeer);
  if (req.id.length === 0) fail("MESSAGE_ID_INVALID");
  if (req.id.length > MAX_FORWARD) fail("MESSAGE_ID_INVALID");
  if (req.randomId.length !== req.id.length) fail("RANDOM_ID_INVALID");
  if (from.noforwards) fail("CHAT_FORWARDS_RESTRICTED", 406);
  const groups = new Map<string, string>();
  const drafts: Draft[] = [];
  req.id.forEach((id, i) => {
    const m = srv.world.message(from.channelId, id);
    if (m === undefined || m.service !== undefined) return;
    if (m.noforwards) fail("CHAT_FORWARDS_RESTRICTED", 406);
    let groupedId: string | undefined;
    if (m.groupedId !== undefined) {
      groupedId = groups.get(m.groupedId) ?? newId(srv.world, "group");
      groups.set(m.groupedId, groupedId);
    }
    const dropCaption = req.dropMediaCaptions && m.media !== undefined;
    drafts.push({
      randomId: req.randomId[i]!.toString(),
      text: dropCaption ? "" : m.text,
      entities: dropCaption ? [] : m.entities,
      media: m.media,
      webpage: m.webpage,
      groupedId,
      invertMedia: m.invertMedia,
      fwdFrom: req.dropAuthor ? undefined : (m.fwdFrom ?? { channelId: from.channelId, msgId: m.id, date: m.date }),
      postAuthor: req.dropAuthor ? undefined : m.postAuthor,
    });
  });
  if (drafts.length === 0) fail("MESSAGE_ID_INVALID");
  // Under slow mode a non-admin may forward one message or one album at a time.
  const slowed = to.slowModeSeconds > 0 && to.megagroup && !isAdmin(to, call.account.name);
  if (slowed && drafts.length > 1 && (drafts[0]!.groupedId === undefined || drafts.some((d) => d.groupedId !== drafts[0]!.groupedId))) fail("SLOWMODE_MULTI_MSGS_DISABLED");
  return post(srv, call, to, drafts);
};

export const sendMethods: Record<string, Method> = {
  "messages.SendMessage": sendMessage,
  "messages.SendMedia": sendMedia,
  "messages.SendMultiMedia": sendMultiMedia,
  "messages.UploadMedia": uploadMedia,
  "messages.ForwardMessages": forwardMessages,
};
