/**
 * What media a Telegram Desktop message carries, from `media_type` and the fields present (the export
 * has no media class field): the model's kind and attributes, the file it names, and the album class.
 */
import type { Media, MediaKind } from "../model/index.js";
import type { DesktopMessage } from "./desktop-message.js";
import { plainText } from "./text.js";

/** Which posts may share an album (tdesktop's AlbumType): photos with videos, music, documents. */
export type AlbumClass = "visual" | "audio" | "doc";

/** The media of a message as read from the export, before its file is looked up on disk. */
export type DesktopMedia =
  | { readonly type: "none" }
  | { readonly type: "unsupported"; readonly what: string }
  | {
      readonly type: "media";
      readonly media: Media;
      /** The path the export names (relative to result.json), or a placeholder, or undefined for a poll. */
      readonly file?: string;
      readonly thumb?: string;
      readonly album?: AlbumClass;
      /** Why there is no file although the media has one (a self-destructing photo is never saved). */
      readonly absentReason?: string;
    };

const DOCUMENT_KINDS: Record<string, MediaKind> = {
  sticker: "sticker",
  video_message: "videoNote",
  voice_message: "voice",
  animation: "animation",
  video_file: "video",
  audio_file: "audio",
};

/** Classify the media of one message. */
export function desktopMedia(m: DesktopMessage): DesktopMedia {
  if (m.photo !== undefined || (m.self_destruct_period_seconds !== undefined && m.file === undefined)) {
    const media: Media = clean({
      kind: "photo" as const,
      size: m.photo_file_size ?? 0,
      width: m.width,
      height: m.height,
      spoiler: m.media_spoiler || undefined,
    });
    return m.photo === undefined
      ? { type: "media", media, album: "visual", absentReason: "a self-destructing photo is never exported" }
      : { type: "media", media, file: m.photo, album: "visual" };
  }
  if (m.file !== undefined) {
    const kind = m.media_type ? DOCUMENT_KINDS[m.media_type] : "document";
    if (kind === undefined) return { type: "unsupported", what: `media_type ${m.media_type}` };
    const baseName = m.file.startsWith("(") ? undefined : m.file.split("/").pop();
    const named = kind === "document" || kind === "audio" || kind === "video";
    const media: Media = clean({
      kind,
      fileName: m.file_name ?? (named ? baseName : undefined),
      mimeType: m.mime_type,
      size: m.file_size ?? 0,
      width: m.width,
      height: m.height,
      duration: m.duration_seconds,
      performer: m.performer,
      title: m.title,
      spoiler: m.media_spoiler || undefined,
      stickerAlt: m.sticker_emoji,
      // A video that was sent as a video streams; the export does not say, and Telegram's clients set it.
      supportsStreaming: kind === "video" ? true : undefined,
    });
    const album: AlbumClass | undefined =
      kind === "video" ? "visual" : kind === "audio" ? "audio" : kind === "document" ? "doc" : undefined;
    return {
      type: "media",
      media,
      file: m.file,
      ...(m.thumbnail !== undefined ? { thumb: m.thumbnail } : {}),
      ...(album ? { album } : {}),
    };
  }
  if (m.poll) {
    const answers = (m.poll.answers ?? []).map((a, i) => ({
      text: plainText(a.text),
      option: Buffer.from(String(i)).toString("hex"),
    }));
    const media: Media = {
      kind: "poll",
      size: 0,
      poll: clean({ question: plainText(m.poll.question), answers, closed: m.poll.closed || undefined }),
    };
    return { type: "media", media };
  }
  const other = unsupportedField(m);
  return other ? { type: "unsupported", what: other } : { type: "none" };
}

/** The name of a media field tgrelay cannot send again, if the message has one. */
function unsupportedField(m: DesktopMessage): string | undefined {
  if (m.contact_information !== undefined) return "contact";
  if (m.place_name !== undefined) return "venue";
  if (m.location_information !== undefined) return "location";
  if (m.game_title !== undefined) return "game";
  if (m.invoice_information !== undefined) return "invoice";
  if (m.giveaway_information !== undefined) return "giveaway";
  if (m.todo_list !== undefined) return "to-do list";
  if (m.paid_stars_amount !== undefined) return "paid media";
  return undefined;
}

function clean<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
