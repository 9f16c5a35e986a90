/**
 * File and folder names of the archive. A media file is named from its post id, so album members (which
 * share a date) and same-named documents never collide; the original name, when there is one, follows the
 * id so a person browsing the folder still recognises the file.
 */
import type { Media, Post } from "../model/index.js";

/** Longest file name written, in UTF-8 bytes (ext4, APFS and NTFS all allow 255). */
export const MAX_NAME_BYTES = 120;

/** Extensions for media without a file name, by kind, then by MIME type. */
const KIND_EXT: Partial<Record<Media["kind"], string>> = {
  photo: ".jpg",
  video: ".mp4",
  voice: ".ogg",
  videoNote: ".mp4",
  animation: ".mp4",
  sticker: ".webp",
  audio: ".mp3",
};
const MIME_EXT: Record<string, string> = {
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/gif": ".gif",
  "image/webp": ".webp",
  "video/mp4": ".mp4",
  "video/webm": ".webm",
  "video/quicktime": ".mov",
  "audio/ogg": ".ogg",
  "audio/mpeg": ".mp3",
  "audio/mp4": ".m4a",
  "application/pdf": ".pdf",
  "application/zip": ".zip",
  "application/x-tgsticker": ".tgs",
  "text/plain": ".txt",
};

/**
 * Replace what is unsafe in a file name on any common file system: path separators, control and
 * reserved characters, leading dots (hidden files, "..") and trailing dots or spaces (Windows).
 */
export function sanitizeName(name: string): string {
  let s = name.normalize("NFC").replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, "_");
  s = s.replace(/^[.\s]+/, "").replace(/[.\s]+$/, "");
  return s;
}

/** Cut `name` to at most `maxBytes` UTF-8 bytes, keeping its extension and never splitting a character. */
export function boundName(name: string, maxBytes = MAX_NAME_BYTES): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf(".");
  let ext = dot > 0 ? name.slice(dot) : "";
  if (Buffer.byteLength(ext) > 16) ext = "";
  let stem = ext ? name.slice(0, dot) : name;
  const room = maxBytes - Buffer.byteLength(ext);
  // Drop whole code points from the end until it fits.
  const chars = Array.from(stem);
  while (chars.length > 0 && Buffer.byteLength(chars.join("")) > room) chars.pop();
  stem = chars.join("");
  return stem + ext;
}

/** The extension for a media item: from its file name, else its MIME type, else its kind. */
export function extensionOf(media: Media): string {
  const fromName = media.fileName ? /\.[A-Za-z0-9]{1,10}$/.exec(media.fileName)?.[0] : undefined;
  if (fromName) return fromName.toLowerCase();
  if (media.mimeType && MIME_EXT[media.mimeType]) return MIME_EXT[media.mimeType]!;
  return KIND_EXT[media.kind] ?? ".bin";
}

/**
 * The archive file name of a post's media: "<id>.<ext>", or "<id>_<original name>" when the media has
 * a file name. Unique within a chat folder because post ids are.
 */
export function mediaFileName(post: Pick<Post, "id" | "media">): string {
  const media = post.media!;
  const original = media.fileName ? sanitizeName(media.fileName) : "";
  const name = original ? `${post.id}_${original}` : `${post.id}${extensionOf(media)}`;
  return boundName(name);
}

/** The thumbnail file beside a media file. */
export function thumbFileName(post: Pick<Post, "id">): string {
  return `${post.id}.thumb.jpg`;
}

/** The folder of one source chat inside the archive: its chat id made safe as a name. */
export function chatFolderName(chatId: string): string {
  const s = boundName(sanitizeName(chatId.replace(/[\s/\\:]+/g, "_")));
  return s === "" ? "chat" : s;
}
