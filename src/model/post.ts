import type { Entity } from "./entity.js";
import type { Media } from "./media.js";

/** One message of a source chat, as plain data. Service messages are not posts. */
export interface Post {
  /** The source chat, as a stable string key (e.g. "-1001234567890", "export:/path", "dir:/path"). */
  readonly chatId: string;
  readonly id: number;
  /** Unix seconds. */
  readonly date: number;
  /** Album key: posts with the same groupedId, consecutive, form one album. Decimal string of the 64-bit id. */
  readonly groupedId?: string;
  /** The text, or the caption of the media. */
  readonly text: string;
  readonly entities: readonly Entity[];
  readonly media?: Media;
  /** Id of the post this one replies to, in the same source chat. */
  readonly replyTo?: number;
  /** The chat or this message forbids forwarding and saving (protected content). */
  readonly noforwards: boolean;
  /** A link preview is shown under the text (Telegram's webpage media). */
  readonly linkPreview: boolean;
  /** Caption shown above the media. */
  readonly invertMedia?: boolean;
  /** Author signature in channels, when shown. */
  readonly postAuthor?: string;
  /**
   * The adapter's own handle for this post (e.g. the GramJS message), never serialised and never read by the
   * pipeline. It lets a Sink of the same account send by reference without reading the post again.
   */
  readonly ref?: unknown;
}

/** An inclusive id range and optional date bounds (unix seconds, inclusive). */
export interface IdRange {
  readonly fromId?: number;
  readonly toId?: number;
  readonly since?: number;
  readonly until?: number;
}

export function inRange(post: Pick<Post, "id" | "date">, range: IdRange): boolean {
  if (range.fromId !== undefined && post.id < range.fromId) return false;
  if (range.toId !== undefined && post.id > range.toId) return false;
  if (range.since !== undefined && post.date < range.since) return false;
  if (range.until !== undefined && post.date > range.until) return false;
  return true;
}
