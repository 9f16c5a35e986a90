/**
 * Api.Message <-> the model (Post, Media, Entity), and the model -> InputMedia / entities for sending.
 * Pure functions: no client, no network. The kind of a media is decided from the source's media class and
 * attributes, never from a file name, so a file sent as a file stays a file and a photo stays a photo.
 */
import { Api } from "telegram";
import bigInt from "big-integer";
import type { Entity, EntityType } from "../model/entity.js";
import type { Media, MediaKind, Poll, Thumbnail } from "../model/media.js";
import type { Post } from "../model/post.js";

type BigLike = bigInt.BigInteger | number | string | bigint | { toString(): string };

/** Decimal string of a GramJS long (big-integer, number or bigint). */
export function longStr(v: BigLike | undefined | null): string {
  return v === undefined || v === null ? "0" : v.toString();
}

/** Marked chat key: "-100<id>" for channels and supergroups, "-<id>" for basic groups, "<id>" for users. */
export function markedChatId(peer: Api.TypePeer | Api.TypeInputPeer | Api.TypeChat | Api.TypeUser): string {
  if (peer instanceof Api.PeerChannel || peer instanceof Api.InputPeerChannel) return `-100${longStr(peer.channelId)}`;
  if (peer instanceof Api.Channel || peer instanceof Api.ChannelForbidden) return `-100${longStr(peer.id)}`;
  if (peer instanceof Api.PeerChat || peer instanceof Api.InputPeerChat) return `-${longStr(peer.chatId)}`;
  if (peer instanceof Api.Chat || peer instanceof Api.ChatForbidden || peer instanceof Api.ChatEmpty) return `-${longStr(peer.id)}`;
  if (peer instanceof Api.PeerUser || peer instanceof Api.InputPeerUser) return longStr(peer.userId);
  if (peer instanceof Api.User || peer instanceof Api.UserEmpty) return longStr(peer.id);
  throw new TypeError(`no chat id for ${(peer as { className?: string }).className}`);
}

// ---------------------------------------------------------------------------------------------- entities

const ENTITY_OF: Record<string, EntityType> = {
  MessageEntityMention: "mention",
  MessageEntityHashtag: "hashtag",
  MessageEntityCashtag: "cashtag",
  MessageEntityBotCommand: "botCommand",
  MessageEntityUrl: "url",
  MessageEntityEmail: "email",
  MessageEntityPhone: "phone",
  MessageEntityBold: "bold",
  MessageEntityItalic: "italic",
  MessageEntityUnderline: "underline",
  MessageEntityStrike: "strike",
  MessageEntityCode: "code",
  MessageEntityPre: "pre",
  MessageEntityTextUrl: "textUrl",
  MessageEntityMentionName: "mentionName",
  InputMessageEntityMentionName: "mentionName",
  MessageEntityCustomEmoji: "customEmoji",
  MessageEntitySpoiler: "spoiler",
  MessageEntityBlockquote: "blockquote",
  MessageEntityBankCard: "bankCard",
  MessageEntityUnknown: "unknown",
};

/** One TL message entity -> model Entity. */
export function entityFromApi(e: Api.TypeMessageEntity): Entity {
  const type = ENTITY_OF[e.className] ?? "unknown";
  const base = { type, offset: e.offset, length: e.length };
  if (e instanceof Api.MessageEntityPre) return e.language ? { ...base, language: e.language } : { ...base, language: "" };
  if (e instanceof Api.MessageEntityTextUrl) return { ...base, url: e.url };
  if (e instanceof Api.MessageEntityMentionName) return { ...base, userId: longStr(e.userId) };
  if (e instanceof Api.InputMessageEntityMentionName) {
    const u = e.userId;
    return { ...base, userId: u instanceof Api.InputUser ? longStr(u.userId) : "0" };
  }
  if (e instanceof Api.MessageEntityCustomEmoji) return { ...base, documentId: longStr(e.documentId) };
  if (e instanceof Api.MessageEntityBlockquote) return e.collapsed ? { ...base, collapsed: true } : base;
  return base;
}

/** Resolves a user id to its InputUser for mention entities (from the client's entity cache). */
export type UserResolver = (userId: string) => Api.TypeInputUser | undefined;

/**
 * Model entities -> TL entities for sending, raw (no parse mode). `mentionName` becomes
 * InputMessageEntityMentionName with the user's InputUser; a mention whose user cannot be resolved is dropped
 * and reported in `dropped` (the text stays, only the link is lost).
 */
export function entitiesToApi(
  entities: readonly Entity[],
  resolveUser: UserResolver = () => undefined,
): { entities: Api.TypeMessageEntity[]; dropped: Entity[] } {
  const out: Api.TypeMessageEntity[] = [];
  const dropped: Entity[] = [];
  for (const e of entities) {
    const p = { offset: e.offset, length: e.length };
    switch (e.type) {
      case "mention": out.push(new Api.MessageEntityMention(p)); break;
      case "hashtag": out.push(new Api.MessageEntityHashtag(p)); break;
      case "cashtag": out.push(new Api.MessageEntityCashtag(p)); break;
      case "botCommand": out.push(new Api.MessageEntityBotCommand(p)); break;
      case "url": out.push(new Api.MessageEntityUrl(p)); break;
      case "email": out.push(new Api.MessageEntityEmail(p)); break;
      case "phone": out.push(new Api.MessageEntityPhone(p)); break;
      case "bold": out.push(new Api.MessageEntityBold(p)); break;
      case "italic": out.push(new Api.MessageEntityItalic(p)); break;
      case "underline": out.push(new Api.MessageEntityUnderline(p)); break;
      case "strike": out.push(new Api.MessageEntityStrike(p)); break;
      case "code": out.push(new Api.MessageEntityCode(p)); break;
      case "pre": out.push(new Api.MessageEntityPre({ ...p, language: e.language ?? "" })); break;
      case "textUrl": out.push(new Api.MessageEntityTextUrl({ ...p, url: e.url ?? "" })); break;
      case "spoiler": out.push(new Api.MessageEntitySpoiler(p)); break;
      case "blockquote": out.push(new Api.MessageEntityBlockquote({ ...p, collapsed: e.collapsed || undefined })); break;
      case "bankCard": out.push(new Api.MessageEntityBankCard(p)); break;
      case "customEmoji": out.push(new Api.MessageEntityCustomEmoji({ ...p, documentId: bigInt(e.documentId ?? "0") })); break;
      case "mentionName": {
        const user = e.userId ? resolveUser(e.userId) : undefined;
        if (user) out.push(new Api.InputMessageEntityMentionName({ ...p, userId: user }));
        else dropped.push(e);
        break;
      }
      case "unknown": out.push(new Api.MessageEntityUnknown(p)); break;
    }
  }
  return { entities: out, dropped };
}

// ---------------------------------------------------------------------------------------------- media

/** Byte size of a photo size entry (progressive sizes: their last, full size). */
export function photoSizeBytes(s: Api.TypePhotoSize): number {
  if (s instanceof Api.PhotoSize) return s.size;
  if (s instanceof Api.PhotoSizeProgressive) return s.sizes[s.sizes.length - 1] ?? 0;
  if (s instanceof Api.PhotoCachedSize || s instanceof Api.PhotoStrippedSize) return s.bytes.length;
  return 0;
}

/** The largest downloadable size of a photo (the one a full download fetches). */
export function largestPhotoSize(photo: Api.Photo): Api.PhotoSize | Api.PhotoSizeProgressive | undefined {
  let best: Api.PhotoSize | Api.PhotoSizeProgressive | undefined;
  for (const s of photo.sizes) {
    if (!(s instanceof Api.PhotoSize || s instanceof Api.PhotoSizeProgressive)) continue;
    if (!best || photoSizeBytes(s) > photoSizeBytes(best)) best = s;
  }
  return best;
}

/** The largest real (downloadable JPEG) thumbnail of a document, if any. */
export function documentThumb(doc: Api.Document): Api.PhotoSize | Api.PhotoSizeProgressive | undefined {
  let best: Api.PhotoSize | Api.PhotoSizeProgressive | undefined;
  for (const s of doc.thumbs ?? []) {
    if (!(s instanceof Api.PhotoSize || s instanceof Api.PhotoSizeProgressive)) continue;
    if (!best || photoSizeBytes(s) > photoSizeBytes(best)) best = s;
  }
  return best;
}

function thumbnailOf(s: Api.PhotoSize | Api.PhotoSizeProgressive | undefined): Thumbnail | undefined {
  return s ? { type: s.type, width: s.w, height: s.h, size: photoSizeBytes(s) } : undefined;
}

function attr<T extends Api.TypeDocumentAttribute>(doc: Api.Document, cls: abstract new (...a: never[]) => T): T | undefined {
  return doc.attributes.find((a): a is T => a instanceof cls);
}

/**
 * The kind of a document, from its media flags and attributes (never from the file name): sticker, animation
 * (animated attribute), round video, video, voice, audio; anything else, images and videos sent as files
 * included, is a document.
 */
export function documentKind(doc: Api.Document, media?: Api.MessageMediaDocument): Exclude<MediaKind, "photo" | "poll"> {
  if (attr(doc, Api.DocumentAttributeSticker)) return "sticker";
  if (attr(doc, Api.DocumentAttributeAnimated)) return "animation";
  const video = attr(doc, Api.DocumentAttributeVideo);
  if (media?.round || video?.roundMessage) return "videoNote";
  // A video sent as a file keeps its video attribute; the media's `video` flag tells them apart.
  if (video) return media === undefined || media.video ? "video" : "document";
  const audio = attr(doc, Api.DocumentAttributeAudio);
  if (media?.voice || audio?.voice) return "voice";
  if (audio) return "audio";
  return "document";
}

/** Optional fields without `undefined` values, so objects compare cleanly. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** A poll's model form. Correct answers and the solution are only present when the reader can see them. */
export function pollFromApi(m: Api.MessageMediaPoll): Poll {
  const p = m.poll as Api.Poll;
  const q = p.question as Api.TextWithEntities | string;
  const correct = (m.results?.results ?? []).filter((r) => r.correct).map((r) => Buffer.from(r.option).toString("hex"));
  return compact({
    question: typeof q === "string" ? q : q.text,
    answers: p.answers.map((a) => {
      const t = a.text as Api.TextWithEntities | string;
      return { text: typeof t === "string" ? t : t.text, option: Buffer.from(a.option).toString("hex") };
    }),
    closed: p.closed || undefined,
    publicVoters: p.publicVoters || undefined,
    multipleChoice: p.multipleChoice || undefined,
    quiz: p.quiz || undefined,
    correctAnswers: correct.length > 0 ? correct : undefined,
    solution: m.results?.solution || undefined,
    closePeriod: p.closePeriod || undefined,
  });
}

/** The model media of a message, or undefined for text, link previews and kinds the model has no place for. */
export function mediaFromApi(media: Api.TypeMessageMedia | undefined): Media | undefined {
  if (media instanceof Api.MessageMediaPhoto && media.photo instanceof Api.Photo) {
    const big = largestPhotoSize(media.photo);
    return compact({
      kind: "photo" as const,
      size: big ? photoSizeBytes(big) : 0,
      width: big?.w,
      height: big?.h,
      spoiler: media.spoiler || undefined,
      fileId: longStr(media.photo.id),
    });
  }
  if (media instanceof Api.MessageMediaDocument && media.document instanceof Api.Document) {
    const doc = media.document;
    const kind = documentKind(doc, media);
    const video = attr(doc, Api.DocumentAttributeVideo);
    const audio = attr(doc, Api.DocumentAttributeAudio);
    const image = attr(doc, Api.DocumentAttributeImageSize);
    const sticker = attr(doc, Api.DocumentAttributeSticker);
    const name = attr(doc, Api.DocumentAttributeFilename);
    return compact({
      kind,
      fileName: name?.fileName,
      mimeType: doc.mimeType,
      size: Number(longStr(doc.size)),
      width: video?.w ?? image?.w,
      height: video?.h ?? image?.h,
      duration: video ? video.duration : audio ? audio.duration : undefined,
      supportsStreaming: video?.supportsStreaming || undefined,
      nosound: video?.nosound || undefined,
      performer: audio?.performer,
      title: audio?.title,
      waveform: audio?.waveform ? Buffer.from(audio.waveform).toString("base64") : undefined,
      spoiler: media.spoiler || undefined,
      stickerAlt: sticker?.alt,
      thumbnail: thumbnailOf(documentThumb(doc)),
      fileId: longStr(doc.id),
    });
  }
  if (media instanceof Api.MessageMediaPoll) return { kind: "poll", size: 0, poll: pollFromApi(media) };
  return undefined;
}

/** Media classes the model cannot carry (geo, contact, dice, game, story...): read skips and counts them. */
export function isUnsupportedMedia(media: Api.TypeMessageMedia | undefined): boolean {
  if (!media || media instanceof Api.MessageMediaEmpty || media instanceof Api.MessageMediaWebPage) return false;
  if (media instanceof Api.MessageMediaPhoto) return !(media.photo instanceof Api.Photo);
  if (media instanceof Api.MessageMediaDocument) return !(media.document instanceof Api.Document);
  return !(media instanceof Api.MessageMediaPoll);
}

/** An Api.Message -> Post. `chatNoforwards` is the chat's protection flag (Channel.noforwards). */
export function postFromMessage(msg: Api.Message, chatId: string, chatNoforwards: boolean): Post {
  const reply = msg.replyTo instanceof Api.MessageReplyHeader ? msg.replyTo : undefined;
  // A reply into another chat (replyToPeerId) cannot be linked in the target.
  const replyTo = reply && reply.replyToMsgId && !reply.replyToPeerId ? reply.replyToMsgId : undefined;
  const m = msg as Api.Message & { invertMedia?: boolean };
  const post: Post = compact({
    chatId,
    id: msg.id,
    date: msg.date,
    groupedId: msg.groupedId ? longStr(msg.groupedId) : undefined,
    text: msg.message ?? "",
    entities: (msg.entities ?? []).map(entityFromApi),
    media: mediaFromApi(msg.media),
    replyTo,
    noforwards: chatNoforwards || Boolean(msg.noforwards),
    linkPreview: msg.media instanceof Api.MessageMediaWebPage,
    invertMedia: m.invertMedia || undefined,
    postAuthor: msg.postAuthor || undefined,
    ref: msg,
  });
  return post;
}

// ---------------------------------------------------------------------------------------------- sending

/** Whether `kind` goes up as a photo (everything else is a document with attributes). */
export function isPhotoKind(kind: MediaKind): boolean {
  return kind === "photo";
}

/**
 * The document attributes that make Telegram show `media` as its kind: file name, video (duration, size,
 * streaming, round, nosound), audio (voice, waveform, performer, title), animation, sticker, image size.
 */
export function documentAttributes(media: Media): Api.TypeDocumentAttribute[] {
  const out: Api.TypeDocumentAttribute[] = [];
  const w = media.width ?? 0;
  const h = media.height ?? 0;
  switch (media.kind) {
    case "video":
    case "videoNote":
    case "animation":
      out.push(
        new Api.DocumentAttributeVideo({
          duration: media.duration ?? 0,
          w,
          h,
          supportsStreaming: media.supportsStreaming || undefined,
          roundMessage: media.kind === "videoNote" || undefined,
          nosound: media.nosound || undefined,
        }),
      );
      if (media.kind === "animation") out.push(new Api.DocumentAttributeAnimated());
      break;
    case "audio":
    case "voice":
      out.push(
        new Api.DocumentAttributeAudio({
          voice: media.kind === "voice" || undefined,
          duration: Math.round(media.duration ?? 0),
          title: media.title,
          performer: media.performer,
          waveform: media.waveform ? Buffer.from(media.waveform, "base64") : undefined,
        }),
      );
      break;
    case "sticker":
      out.push(new Api.DocumentAttributeSticker({ alt: media.stickerAlt ?? "", stickerset: new Api.InputStickerSetEmpty() }));
      if (media.width && media.height) out.push(new Api.DocumentAttributeImageSize({ w, h }));
      break;
    case "document":
      // A video sent as a file keeps its video attribute (duration, size); forceFile keeps it a file.
      if (media.duration !== undefined && media.mimeType?.startsWith("video/")) {
        out.push(new Api.DocumentAttributeVideo({ duration: media.duration, w, h, supportsStreaming: media.supportsStreaming || undefined, nosound: media.nosound || undefined }));
      } else if (media.width && media.height) out.push(new Api.DocumentAttributeImageSize({ w, h }));
      break;
    default:
      break;
  }
  if (media.fileName !== undefined) out.push(new Api.DocumentAttributeFilename({ fileName: media.fileName }));
  return out;
}

/** The file name to upload under: the source's, else one from the id and kind (never a guess that changes the kind). */
export function uploadName(media: Media, postId: number): string {
  if (media.fileName) return media.fileName;
  const ext: Partial<Record<MediaKind, string>> = { photo: "jpg", video: "mp4", videoNote: "mp4", animation: "mp4", voice: "ogg", audio: "mp3", sticker: "webp" };
  return `${postId}.${ext[media.kind] ?? "bin"}`;
}

/**
 * InputMedia for a freshly uploaded file, keeping the kind: a photo stays a photo; everything else is a
 * document with the source's mime type and attributes, and `forceFile` for files, so an image or a video sent
 * as a file stays a file.
 */
export function uploadedInputMedia(media: Media, file: Api.TypeInputFile, thumb?: Api.TypeInputFile): Api.TypeInputMedia {
  if (isPhotoKind(media.kind)) return new Api.InputMediaUploadedPhoto({ file, spoiler: media.spoiler || undefined });
  return new Api.InputMediaUploadedDocument({
    file,
    thumb,
    mimeType: media.mimeType ?? "application/octet-stream",
    attributes: documentAttributes(media),
    forceFile: media.kind === "document" || undefined,
    nosoundVideo: media.kind === "animation" || undefined,
    spoiler: media.spoiler || undefined,
  });
}

/** InputMedia that re-sends an existing photo or document by reference (no bytes move). */
export function referenceInputMedia(media: Api.TypeMessageMedia, spoiler?: boolean): Api.TypeInputMedia {
  if (media instanceof Api.MessageMediaPhoto && media.photo instanceof Api.Photo) {
    const p = media.photo;
    return new Api.InputMediaPhoto({
      id: new Api.InputPhoto({ id: p.id, accessHash: p.accessHash, fileReference: p.fileReference }),
      spoiler: (spoiler ?? media.spoiler) || undefined,
    });
  }
  if (media instanceof Api.MessageMediaDocument && media.document instanceof Api.Document) {
    const d = media.document;
    return new Api.InputMediaDocument({
      id: new Api.InputDocument({ id: d.id, accessHash: d.accessHash, fileReference: d.fileReference }),
      spoiler: (spoiler ?? media.spoiler) || undefined,
    });
  }
  throw new TypeError(`cannot send ${media.className} by reference`);
}

/** A new poll with the same question, answers and flags (a poll cannot be re-sent by reference). */
export function pollInputMedia(poll: Poll): Api.InputMediaPoll {
  const correct = poll.correctAnswers?.map((h) => Buffer.from(h, "hex"));
  return new Api.InputMediaPoll({
    poll: new Api.Poll({
      id: bigInt(0),
      question: new Api.TextWithEntities({ text: poll.question, entities: [] }),
      answers: poll.answers.map(
        (a) => new Api.PollAnswer({ text: new Api.TextWithEntities({ text: a.text, entities: [] }), option: Buffer.from(a.option, "hex") }),
      ),
      closed: poll.closed || undefined,
      publicVoters: poll.publicVoters || undefined,
      multipleChoice: poll.multipleChoice || undefined,
      quiz: poll.quiz || undefined,
      closePeriod: poll.closePeriod,
    }),
    correctAnswers: poll.quiz ? correct : undefined,
    solution: poll.quiz ? poll.solution : undefined,
    solutionEntities: poll.quiz && poll.solution ? [] : undefined,
  });
}
