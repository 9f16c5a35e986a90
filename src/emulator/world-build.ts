/** Building the world directly (not through Telegram's methods): posts with media made from bytes or a seed. */
import { Api } from "telegram";
import bigInt from "big-integer";
import type { Poll } from "../model/index.js";
import { jpegHeader } from "./bytes.js";
import { documentOf, photoOf } from "./media.js";
import { hash32 } from "./prng.js";
import type { ChatRec, FileRec, MediaRec, MessageRec, PollRec } from "./records.js";
import { generatedFile, newId, storedFile } from "./store.js";
import type { MediaSpec, PostSpec } from "./types.js";
import type { World } from "./world.js";

const DEFAULT_SIZE: Record<string, number> = {
  photo: 120_000, video: 900_000, document: 60_000, audio: 400_000, voice: 30_000, videoNote: 300_000, animation: 150_000, sticker: 25_000,
};

function fileFor(world: World, spec: MediaSpec, seed: number, header?: Buffer): FileRec {
  if (spec.bytes !== undefined) return storedFile(world, spec.bytes);
  return generatedFile(world, spec.size ?? DEFAULT_SIZE[spec.kind] ?? 50_000, spec.seed ?? seed, header);
}

function thumbFor(world: World, spec: MediaSpec, seed: number): FileRec | undefined {
  const want = spec.thumbnail ?? ["video", "videoNote", "animation"].includes(spec.kind);
  if (want === false) return undefined;
  if (Buffer.isBuffer(want)) return storedFile(world, want);
  const w = spec.width ?? 1280;
  const h = spec.height ?? 720;
  const k = 320 / Math.max(w, h);
  return generatedFile(world, 4000 + (seed % 3000), seed ^ 0x7417, jpegHeader(Math.max(1, Math.round(w * k)), Math.max(1, Math.round(h * k))));
}

function pollRec(world: World, p: Poll): PollRec {
  return {
    id: newId(world, "poll"),
    question: p.question,
    answers: p.answers.map((a) => ({ text: a.text, option: a.option })),
    ...(p.closed ? { closed: true } : {}),
    ...(p.publicVoters ? { publicVoters: true } : {}),
    ...(p.multipleChoice ? { multipleChoice: true } : {}),
    ...(p.quiz ? { quiz: true } : {}),
    ...(p.correctAnswers ? { correctAnswers: [...p.correctAnswers] } : {}),
    ...(p.solution !== undefined ? { solution: p.solution } : {}),
    ...(p.closePeriod !== undefined ? { closePeriod: p.closePeriod } : {}),
  };
}

/** The world media for a media spec. */
export function mediaFromSpec(world: World, chat: ChatRec, spec: MediaSpec, date: number): MediaRec {
  const seed = spec.seed ?? hash32(Number(chat.channelId) >>> 0, world.next("mediaSeed"));
  const dc = spec.dc ?? chat.dc;
  const spoiler = spec.spoiler ? { spoiler: true } : {};
  if (spec.kind === "poll") {
    if (spec.poll === undefined) throw new TypeError("a poll post needs media.poll");
    return { type: "poll", poll: pollRec(world, spec.poll) };
  }
  if (spec.kind === "photo") {
    const width = spec.width ?? 1280;
    const height = spec.height ?? 960;
    const file = fileFor(world, spec, seed, jpegHeader(width, height));
    const photo = photoOf(world, file, dc, date, spec.bytes ? undefined : { width, height });
    return { type: "photo", photoId: photo.id, ...spoiler };
  }
  const w = spec.width ?? (spec.kind === "videoNote" ? 384 : 1280);
  const h = spec.height ?? (spec.kind === "videoNote" ? 384 : 720);
  const duration = spec.duration ?? 12.5;
  const attrs: Api.TypeDocumentAttribute[] = [];
  let mime = spec.mimeType;
  let name = spec.fileName;
  switch (spec.kind) {
    case "video":
      attrs.push(new Api.DocumentAttributeVideo({ duration, w, h, supportsStreaming: spec.supportsStreaming, nosound: spec.nosound }));
      mime ??= "video/mp4"; name ??= `video${seed % 1000}.mp4`;
      break;
    case "videoNote":
      attrs.push(new Api.DocumentAttributeVideo({ duration, w, h, roundMessage: true }));
      mime ??= "video/mp4";
      break;
    case "animation":
      attrs.push(new Api.DocumentAttributeVideo({ duration, w, h, nosound: true }), new Api.DocumentAttributeAnimated());
      mime ??= "video/mp4"; name ??= `anim${seed % 1000}.mp4`;
      break;
    case "audio":
      attrs.push(new Api.DocumentAttributeAudio({ duration: Math.round(duration), performer: spec.performer, title: spec.title }));
      mime ??= "audio/mpeg"; name ??= `track${seed % 1000}.mp3`;
      break;
    case "voice":
      attrs.push(new Api.DocumentAttributeAudio({ voice: true, duration: Math.round(duration), waveform: spec.waveform ? Buffer.from(spec.waveform, "base64") : undefined }));
      mime ??= "audio/ogg";
      break;
    case "sticker":
      attrs.push(new Api.DocumentAttributeImageSize({ w: spec.width ?? 512, h: spec.height ?? 512 }),
        new Api.DocumentAttributeSticker({ alt: spec.stickerAlt ?? "🙂", stickerset: new Api.InputStickerSetEmpty() }));
      mime ??= "image/webp"; name ??= "sticker.webp";
      break;
    default:
      mime ??= "application/octet-stream"; name ??= `file${seed % 1000}.bin`;
      if (spec.width !== undefined && spec.height !== undefined) attrs.push(new Api.DocumentAttributeImageSize({ w: spec.width, h: spec.height }));
  }
  if (name !== undefined) attrs.push(new Api.DocumentAttributeFilename({ fileName: name }));
  const isImage = mime.startsWith("image/jpeg");
  const file = fileFor(world, spec, seed, isImage ? jpegHeader(w, h) : undefined);
  const doc = documentOf(world, { file, dc, date, mimeType: mime, attributes: attrs, thumb: thumbFor(world, spec, seed), nosound: spec.nosound });
  return { type: "document", documentId: doc.id, ...spoiler };
}

/** Append a post to a chat as its next message; returns its id. */
export function appendPost(world: World, chat: ChatRec, spec: PostSpec, now: number): number {
  return world.tx(() => {
    const fresh = world.chat(chat.channelId)!;
    const last = fresh.topId > 0 ? world.message(fresh.channelId, fresh.topId) : undefined;
    const date = Math.max(spec.date ?? Math.floor(now / 1000), last?.date ?? 0);
    const media = spec.media ? mediaFromSpec(world, fresh, spec.media, date) : undefined;
    const text = spec.text ?? "";
    let webpage: MessageRec["webpage"];
    if (spec.linkPreview && !media) {
      const url = typeof spec.linkPreview === "object" ? spec.linkPreview.url : /https?:\/\/[^\s]+/.exec(text)?.[0];
      if (url === undefined) throw new TypeError("linkPreview needs a URL in the text or a page");
      const page: { title?: string; description?: string } = typeof spec.linkPreview === "object" ? spec.linkPreview : {};
      webpage = { id: newId(world, "webpage"), url, ...(page.title ? { title: page.title } : {}), ...(page.description ? { description: page.description } : {}) };
    }
    if (!media && text.trim() === "") throw new TypeError("a post needs text or media");
    fresh.topId += 1;
    fresh.pts += 1;
    const m: MessageRec = {
      id: fresh.topId,
      date,
      sender: spec.sender ?? fresh.owner,
      text,
      entities: [...(spec.entities ?? [])],
      noforwards: spec.noforwards ?? false,
      ...(media ? { media } : {}),
      ...(webpage ? { webpage } : {}),
      ...(spec.groupedId ? { groupedId: bigInt(spec.groupedId).toString() } : {}),
      ...(spec.replyTo !== undefined ? { replyTo: spec.replyTo } : {}),
      ...(spec.invertMedia ? { invertMedia: true } : {}),
      ...(spec.postAuthor ? { postAuthor: spec.postAuthor } : {}),
    };
    world.putMessage(fresh.channelId, m);
    world.putChat(fresh);
    return m.id;
  });
}

/** Append a service message (a pin, a title edit) to a chat. */
export function appendService(world: World, chat: ChatRec, service: NonNullable<MessageRec["service"]>, now: number): number {
  return world.tx(() => {
    const fresh = world.chat(chat.channelId)!;
    const last = world.message(fresh.channelId, fresh.topId);
    fresh.topId += 1;
    fresh.pts += 1;
    const m: MessageRec = { id: fresh.topId, date: last?.date ?? Math.floor(now / 1000), sender: fresh.owner, text: "", entities: [], noforwards: false, service };
    world.putMessage(fresh.channelId, m);
    world.putChat(fresh);
    return m.id;
  });
}
