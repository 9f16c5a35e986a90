/** Reading a chat of the world back as tgrelay's model, with a sha256 of every media file. */
import { Api } from "telegram";
import type { Media, Thumbnail } from "../model/index.js";
import { documentKind } from "./kinds.js";
import type { ChatRec, MessageRec } from "./records.js";
import { fileSha256 } from "./store.js";
import { attributesOf } from "./tl.js";
import type { InspectedPost } from "./types.js";
import type { World } from "./world.js";

type MutableMedia = { -readonly [K in keyof Media]: Media[K] } & { sha256?: string; thumbSha256?: string };

function mediaOf(world: World, m: MessageRec): InspectedPost["media"] {
  const rec = m.media;
  if (rec === undefined) return undefined;
  if (rec.type === "poll") {
    const p = rec.poll;
    return {
      kind: "poll", size: 0,
      poll: {
        question: p.question, answers: p.answers.map((a) => ({ text: a.text, option: a.option })),
        ...(p.closed ? { closed: true } : {}), ...(p.publicVoters ? { publicVoters: true } : {}),
        ...(p.multipleChoice ? { multipleChoice: true } : {}), ...(p.quiz ? { quiz: true } : {}),
        ...(p.correctAnswers ? { correctAnswers: p.correctAnswers } : {}), ...(p.solution !== undefined ? { solution: p.solution } : {}),
        ...(p.closePeriod !== undefined ? { closePeriod: p.closePeriod } : {}),
      },
    };
  }
  if (rec.type === "photo") {
    const photo = world.photo(rec.photoId);
    if (photo === undefined) return undefined;
    const big = photo.sizes[photo.sizes.length - 1]!;
    const out: MutableMedia = { kind: "photo", size: big.size, width: big.w, height: big.h, fileId: photo.id, sha256: fileSha256(world, world.file(big.fileId)!) };
    if (rec.spoiler) out.spoiler = true;
    return out;
  }
  const doc = world.document(rec.documentId);
  if (doc === undefined) return undefined;
  const out: MutableMedia = { kind: documentKind(doc), size: doc.size, mimeType: doc.mimeType, fileId: doc.id, sha256: fileSha256(world, world.file(doc.fileId)!) };
  for (const a of attributesOf(doc)) {
    if (a instanceof Api.DocumentAttributeFilename) out.fileName = a.fileName;
    else if (a instanceof Api.DocumentAttributeVideo) {
      out.width = a.w; out.height = a.h; out.duration = a.duration;
      if (a.supportsStreaming) out.supportsStreaming = true;
      if (a.nosound) out.nosound = true;
    } else if (a instanceof Api.DocumentAttributeAudio) {
      out.duration = a.duration;
      if (a.performer != null) out.performer = a.performer;
      if (a.title != null) out.title = a.title;
      if (a.waveform != null) out.waveform = Buffer.from(a.waveform).toString("base64");
    } else if (a instanceof Api.DocumentAttributeImageSize) {
      out.width ??= a.w; out.height ??= a.h;
    } else if (a instanceof Api.DocumentAttributeSticker) out.stickerAlt = a.alt;
  }
  if (doc.nosound) out.nosound = true;
  if (rec.spoiler) out.spoiler = true;
  const t = doc.thumbs[doc.thumbs.length - 1];
  if (t !== undefined) {
    const thumb: Thumbnail = { type: t.type, width: t.w, height: t.h, size: t.size };
    out.thumbnail = thumb;
    out.thumbSha256 = fileSha256(world, world.file(t.fileId)!);
  }
  return out;
}

/** The posts of a chat, oldest first (service messages left out). */
export function inspectChat(world: World, chat: ChatRec): InspectedPost[] {
  const chatId = `-100${chat.channelId}`;
  const out: InspectedPost[] = [];
  for (const m of world.messagesAsc(chat.channelId)) {
    if (m.service !== undefined) continue;
    const media = mediaOf(world, m);
    out.push({
      chatId, id: m.id, date: m.date, text: m.text, entities: m.entities,
      noforwards: m.noforwards || chat.noforwards,
      linkPreview: m.webpage !== undefined && m.media === undefined,
      position: out.length,
      ...(m.groupedId !== undefined ? { groupedId: m.groupedId } : {}),
      ...(media !== undefined ? { media } : {}),
      ...(m.replyTo !== undefined ? { replyTo: m.replyTo } : {}),
      ...(m.invertMedia ? { invertMedia: true } : {}),
      ...(m.postAuthor !== undefined ? { postAuthor: m.postAuthor } : {}),
    });
  }
  return out;
}
