import { Api } from "telegram";
import type { MediaKind } from "../model/index.js";
import type { DocumentRec, MediaRec } from "./records.js";
import { attributesOf } from "./tl.js";
import type { World } from "./world.js";

/** What a user sees a document as, decided from its attributes (never from its file name). */
export function documentKind(d: DocumentRec): MediaKind {
  if (d.forceFile) return "document";
  const attrs = attributesOf(d);
  if (attrs.some((a) => a instanceof Api.DocumentAttributeSticker)) return "sticker";
  if (attrs.some((a) => a instanceof Api.DocumentAttributeAnimated)) return "animation";
  const video = attrs.find((a): a is Api.DocumentAttributeVideo => a instanceof Api.DocumentAttributeVideo);
  if (video !== undefined) return video.roundMessage ? "videoNote" : "video";
  const audio = attrs.find((a): a is Api.DocumentAttributeAudio => a instanceof Api.DocumentAttributeAudio);
  if (audio !== undefined) return audio.voice ? "voice" : "audio";
  return "document";
}

/** The kind of a message media record (undefined when its document is gone). */
export function mediaKind(world: World, m: MediaRec): MediaKind | undefined {
  if (m.type === "photo") return "photo";
  if (m.type === "poll") return "poll";
  const d = world.document(m.documentId);
  return d === undefined ? undefined : documentKind(d);
}

/** The album class of a kind: photos and videos mix; documents only with documents; audio only with audio. */
export function albumClass(kind: MediaKind | undefined): "visual" | "document" | "audio" | undefined {
  if (kind === "photo" || kind === "video") return "visual";
  if (kind === "document") return "document";
  if (kind === "audio") return "audio";
  return undefined;
}
