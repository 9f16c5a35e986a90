/** World records as the TL objects one account receives (its own access hashes and file references). */
import { Api } from "telegram";
import { BinaryReader } from "telegram/extensions/index.js";
import bigInt from "big-integer";
import type { Keys, RefContext } from "./keys.js";
import type { AccountRec, ChatRec, DocumentRec, MediaRec, MessageRec, PhotoRec, PollRec, SizeRec } from "./records.js";
import type { World } from "./world.js";
import { entityToTl } from "./entities.js";

/** What converting needs: the world, the keys, the clock. */
export interface View {
  readonly world: World;
  readonly keys: Keys;
  readonly now: () => number;
}

/** Whether `account` is in the chat (owner, admin or member). */
export function isMember(chat: ChatRec, account: string): boolean {
  return chat.owner === account || chat.members.includes(account) || chat.admins.includes(account);
}
/** Whether `account` may post in a broadcast channel (owner or admin). */
export function isAdmin(chat: ChatRec, account: string): boolean {
  return chat.owner === account || chat.admins.includes(account);
}

/** The chat as an Api.Channel seen by `viewer` (its access hash, its rights, left or not). */
export function channelTl(v: View, chat: ChatRec, viewer: string): Api.Channel {
  const admin = isAdmin(v.world.chat(chat.channelId) ?? chat, viewer);
  return new Api.Channel({
    id: bigInt(chat.channelId),
    accessHash: v.keys.accessHash(viewer, "channel", chat.channelId),
    title: chat.title,
    username: chat.username,
    photo: new Api.ChatPhotoEmpty(),
    date: chat.date,
    creator: chat.owner === viewer,
    left: !isMember(chat, viewer),
    broadcast: !chat.megagroup,
    megagroup: chat.megagroup,
    noforwards: chat.noforwards,
    slowmodeEnabled: chat.slowModeSeconds > 0,
    participantsCount: new Set([chat.owner, ...chat.members, ...chat.admins]).size,
    adminRights: admin
      ? new Api.ChatAdminRights({ postMessages: true, editMessages: true, deleteMessages: true, inviteUsers: true, changeInfo: chat.owner === viewer })
      : undefined,
  });
}

/** An account as an Api.User seen by `viewer`. */
export function userTl(v: View, acc: AccountRec, viewer: string): Api.User {
  const self = acc.name === viewer;
  return new Api.User({
    id: bigInt(acc.userId),
    accessHash: v.keys.accessHash(viewer, "user", acc.userId),
    self,
    firstName: acc.name,
    phone: self ? acc.phone : undefined,
    premium: acc.premium,
  });
}

/**
 * The users a reader needs for a message: its sender in groups, and everyone its MessageEntityMentionName
 * entities name (that is how a client gets their access hash). Users outside the world get a plain User.
 */
export function usersOf(v: View, chat: ChatRec, messages: readonly MessageRec[], viewer: string): Api.User[] {
  const out = new Map<string, Api.User>();
  for (const m of messages) {
    const ids: string[] = m.entities.filter((e) => e.type === "mentionName" && e.userId !== undefined).map((e) => e.userId!);
    if (chat.megagroup) {
      const sender = v.world.account(m.sender);
      if (sender !== undefined) ids.push(sender.userId);
    }
    for (const id of ids) {
      if (out.has(id)) continue;
      const acc = v.world.accountByUserId(id);
      out.set(id, acc !== undefined
        ? userTl(v, acc, viewer)
        : new Api.User({ id: bigInt(id), accessHash: v.keys.accessHash(viewer, "user", id), firstName: `User ${id}` }));
    }
  }
  return [...out.values()];
}

/** A size record as an Api.PhotoSize (or the inline PhotoStrippedSize). */
export function sizeTl(s: SizeRec): Api.PhotoSize | Api.PhotoStrippedSize {
  if (s.stripped !== undefined) return new Api.PhotoStrippedSize({ type: s.type, bytes: Buffer.from(s.stripped, "base64") });
  return new Api.PhotoSize({ type: s.type, w: s.w, h: s.h, size: s.size });
}

/** A photo with the access hash and a fresh file reference of `viewer`, read in `ctx`. */
export function photoTl(v: View, p: PhotoRec, viewer: string, ctx: RefContext): Api.Photo {
  return new Api.Photo({
    id: bigInt(p.id),
    accessHash: v.keys.accessHash(viewer, "photo", p.id),
    fileReference: v.keys.fileReference(viewer, "photo", p.id, ctx, v.now()),
    date: p.date,
    sizes: p.sizes.map(sizeTl),
    dcId: p.dc,
  });
}

/** The TL attributes of a document, exactly as they were sent. */
export function attributesOf(d: DocumentRec): Api.TypeDocumentAttribute[] {
  return d.attributes.map((b64) => new BinaryReader(Buffer.from(b64, "base64")).tgReadObject() as Api.TypeDocumentAttribute);
}

/** A document with the access hash and a fresh file reference of `viewer`, read in `ctx`. */
export function documentTl(v: View, d: DocumentRec, viewer: string, ctx: RefContext): Api.Document {
  return new Api.Document({
    id: bigInt(d.id),
    accessHash: v.keys.accessHash(viewer, "document", d.id),
    fileReference: v.keys.fileReference(viewer, "document", d.id, ctx, v.now()),
    date: d.date,
    mimeType: d.mimeType,
    size: bigInt(d.size),
    thumbs: d.thumbs.length > 0 ? d.thumbs.map(sizeTl) : undefined,
    dcId: d.dc,
    attributes: attributesOf(d),
  });
}

/** A poll as MessageMediaPoll (quiz answers and solution in its results). */
export function pollTl(p: PollRec): Api.MessageMediaPoll {
  const correct = new Set(p.correctAnswers ?? []);
  return new Api.MessageMediaPoll({
    poll: new Api.Poll({
      id: bigInt(p.id),
      question: new Api.TextWithEntities({ text: p.question, entities: [] }),
      answers: p.answers.map((a) => new Api.PollAnswer({ text: new Api.TextWithEntities({ text: a.text, entities: [] }), option: Buffer.from(a.option, "hex") })),
      closed: p.closed,
      publicVoters: p.publicVoters,
      multipleChoice: p.multipleChoice,
      quiz: p.quiz,
      closePeriod: p.closePeriod ?? undefined,
    }),
    results: new Api.PollResults({
      results: p.quiz && correct.size > 0
        ? p.answers.map((a) => new Api.PollAnswerVoters({ option: Buffer.from(a.option, "hex"), voters: 0, correct: correct.has(a.option) }))
        : undefined,
      totalVoters: 0,
      solution: p.solution ?? undefined,
      solutionEntities: p.solution != null ? [] : undefined,
    }),
  });
}

/** Which flags a document's message media carries. */
export function documentFlags(d: DocumentRec): { video: boolean; round: boolean; voice: boolean } {
  const attrs = attributesOf(d);
  const video = attrs.find((a): a is Api.DocumentAttributeVideo => a instanceof Api.DocumentAttributeVideo);
  const audio = attrs.find((a): a is Api.DocumentAttributeAudio => a instanceof Api.DocumentAttributeAudio);
  const animated = attrs.some((a) => a instanceof Api.DocumentAttributeAnimated || a instanceof Api.DocumentAttributeSticker);
  return {
    video: video !== undefined && !video.roundMessage && !animated && !d.forceFile,
    round: video?.roundMessage === true,
    voice: audio?.voice === true,
  };
}

/** A media record as the MessageMedia `viewer` receives. */
export function mediaTl(v: View, m: MediaRec, viewer: string, ctx: RefContext): Api.TypeMessageMedia {
  if (m.type === "photo") {
    const p = v.world.photo(m.photoId);
    if (p === undefined) return new Api.MessageMediaUnsupported();
    return new Api.MessageMediaPhoto({ photo: photoTl(v, p, viewer, ctx), spoiler: m.spoiler });
  }
  if (m.type === "document") {
    const d = v.world.document(m.documentId);
    if (d === undefined) return new Api.MessageMediaUnsupported();
    return new Api.MessageMediaDocument({ document: documentTl(v, d, viewer, ctx), spoiler: m.spoiler, ...documentFlags(d) });
  }
  return pollTl(m.poll);
}

/** A message record as the Api.Message (or MessageService) `viewer` receives. */
export function messageTl(v: View, chat: ChatRec, m: MessageRec, viewer: string): Api.Message | Api.MessageService {
  const peerId = new Api.PeerChannel({ channelId: bigInt(chat.channelId) });
  const sender = v.world.account(m.sender);
  const fromId = chat.megagroup && sender !== undefined ? new Api.PeerUser({ userId: bigInt(sender.userId) }) : undefined;
  if (m.service !== undefined) {
    return new Api.MessageService({
      id: m.id, peerId, date: m.date, fromId, out: m.sender === viewer, post: !chat.megagroup,
      action: m.service.action === "channelCreate" ? new Api.MessageActionChannelCreate({ title: m.service.title })
        : m.service.action === "editTitle" ? new Api.MessageActionChatEditTitle({ title: m.service.title })
        : new Api.MessageActionPinMessage(),
      replyTo: m.service.action === "pinMessage" ? new Api.MessageReplyHeader({ replyToMsgId: m.service.msgId }) : undefined,
    } as ConstructorParameters<typeof Api.MessageService>[0]);
  }
  const ctx = { channelId: chat.channelId, msgId: m.id };
  let media: Api.TypeMessageMedia | undefined = m.media !== undefined ? mediaTl(v, m.media, viewer, ctx) : undefined;
  if (media === undefined && m.webpage !== undefined) {
    const url = new URL(m.webpage.url);
    media = new Api.MessageMediaWebPage({
      webpage: new Api.WebPage({
        id: bigInt(m.webpage.id), url: m.webpage.url, displayUrl: url.host + url.pathname, hash: 0, type: "article",
        siteName: url.host, title: m.webpage.title, description: m.webpage.description,
      }),
    });
  }
  const args = {
    id: m.id,
    peerId,
    fromId,
    date: m.date,
    message: m.text,
    entities: m.entities.length > 0 ? m.entities.map(entityToTl) : undefined,
    media,
    groupedId: m.groupedId !== undefined ? bigInt(m.groupedId) : undefined,
    replyTo: m.replyTo !== undefined ? new Api.MessageReplyHeader({ replyToMsgId: m.replyTo }) : undefined,
    noforwards: m.noforwards || undefined,
    invertMedia: m.invertMedia || undefined,
    post: !chat.megagroup,
    out: m.sender === viewer,
    postAuthor: m.postAuthor,
    fwdFrom: m.fwdFrom !== undefined
      ? new Api.MessageFwdHeader({ fromId: new Api.PeerChannel({ channelId: bigInt(m.fwdFrom.channelId) }), date: m.fwdFrom.date, channelPost: m.fwdFrom.msgId })
      : undefined,
  };
  return new Api.Message(args as ConstructorParameters<typeof Api.Message>[0]);
}
