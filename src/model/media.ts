/**
 * The media of one post, as plain data. No GramJS types: adapters convert to and from this.
 * `kind` is what a user sees in Telegram (a photo, a file, a round video...), decided from the source's
 * media class and attributes, never from a file name.
 */
export type MediaKind =
  | "photo"
  | "video"
  | "document" // any file sent as a file, images and videos sent as files included
  | "audio"
  | "voice"
  | "videoNote" // round video
  | "animation" // GIF / silent looping MP4
  | "sticker"
  | "poll";

export interface Thumbnail {
  /** Telegram's size type letter ("m", "s", ...), when known. */
  readonly type?: string;
  readonly width: number;
  readonly height: number;
  readonly size: number;
}

export interface PollAnswer {
  readonly text: string;
  /** The option bytes, hex, as Telegram identifies the answer. */
  readonly option: string;
}

export interface Poll {
  readonly question: string;
  readonly answers: readonly PollAnswer[];
  readonly closed?: boolean;
  readonly publicVoters?: boolean;
  readonly multipleChoice?: boolean;
  readonly quiz?: boolean;
  /** Hex option ids of the right answers of a quiz, when the reader can see them. */
  readonly correctAnswers?: readonly string[];
  readonly solution?: string;
  readonly closePeriod?: number;
}

export interface Media {
  readonly kind: MediaKind;
  readonly fileName?: string;
  readonly mimeType?: string;
  /** Bytes of the file (the largest photo size for a photo). 0 for a poll. */
  readonly size: number;
  readonly width?: number;
  readonly height?: number;
  /** Seconds; fractional for videos (Telegram's `double`). */
  readonly duration?: number;
  readonly supportsStreaming?: boolean;
  /** A video without sound (animations are `kind: "animation"`). */
  readonly nosound?: boolean;
  readonly performer?: string;
  readonly title?: string;
  /** Voice waveform, 5-bit packed as Telegram sends it, base64. */
  readonly waveform?: string;
  readonly spoiler?: boolean;
  /** The sticker's emoji alternative. */
  readonly stickerAlt?: string;
  readonly thumbnail?: Thumbnail;
  readonly poll?: Poll;
  /** Stable id of the stored file (e.g. Telegram's photo/document id), for de-duplication and naming. */
  readonly fileId?: string;
  /** Content hash when the source knows it (an archive or export). */
  readonly sha256?: string;
}
