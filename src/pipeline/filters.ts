/**
 * Post filters: by kind, size, text (regex) and hashtag. A filter answers with the reason a post is skipped,
 * or undefined when it is kept, so the summary can count skips by reason.
 *
 * Albums are never cut by a filter: an album is kept whole when at least one of its items passes, and
 * skipped whole (with the first item's reason) otherwise.
 */
import type { Batch } from "../model/batch.js";
import type { MediaKind } from "../model/media.js";
import type { Post } from "../model/post.js";

/** A post's kind for filtering: its media kind, or "text" for a post without media. */
export type PostKind = MediaKind | "text";

export const POST_KINDS: readonly PostKind[] = [
  "text", "photo", "video", "document", "audio", "voice", "videoNote", "animation", "sticker", "poll",
];

/** What the user asked to keep. Every part is optional; all given parts must pass. */
export interface FilterSpec {
  /** Keep only these kinds. */
  readonly kinds?: readonly PostKind[];
  /** Skip these kinds. */
  readonly skipKinds?: readonly PostKind[];
  /** Media smaller than this many bytes is skipped (posts without media pass). */
  readonly minSize?: number;
  /** Media larger than this many bytes is skipped (posts without media pass). */
  readonly maxSize?: number;
  /** The text must match. */
  readonly text?: RegExp;
  /** The text must not match. */
  readonly notText?: RegExp;
  /** The post must carry at least one of these hashtags (without "#", compared case-insensitively). */
  readonly hashtags?: readonly string[];
}

/** Returns the skip reason of a post, or undefined to keep it. */
export type PostFilter = (post: Post) => string | undefined;

/** The kind a filter sees for a post. */
export function postKind(post: Post): PostKind {
  return post.media?.kind ?? "text";
}

/** Hashtags of a text, lower-cased without "#": from hashtag entities, else by scanning the text. */
export function hashtagsOf(post: Pick<Post, "text" | "entities">): Set<string> {
  const tags = new Set<string>();
  for (const e of post.entities) {
    if (e.type === "hashtag") tags.add(post.text.slice(e.offset + 1, e.offset + e.length).toLowerCase());
  }
  // Sources without entities (some exports) still have the words.
  for (const m of post.text.matchAll(/(?:^|[^\p{L}\p{N}_])#([\p{L}\p{N}_]+)/gu)) tags.add(m[1]!.toLowerCase());
  return tags;
}

/** Whether the spec filters anything. */
export function hasFilters(spec: FilterSpec): boolean {
  return Boolean(
    spec.kinds?.length || spec.skipKinds?.length || spec.minSize !== undefined || spec.maxSize !== undefined ||
    spec.text || spec.notText || spec.hashtags?.length,
  );
}

/**
 * Compile a filter spec. Reasons are short and stable, for counting: "kind:sticker", "size<1MB"-style
 * ("size-below-min", "size-above-max"), "text-mismatch", "text-excluded", "no-hashtag".
 */
export function compileFilters(spec: FilterSpec): PostFilter {
  const kinds = spec.kinds?.length ? new Set(spec.kinds) : undefined;
  const skipKinds = new Set(spec.skipKinds ?? []);
  const tags = spec.hashtags?.length ? spec.hashtags.map((t) => t.replace(/^#/u, "").toLowerCase()) : undefined;
  // A regex with g or y keeps state between test() calls; filters must not.
  const plain = (re?: RegExp): RegExp | undefined => (re ? new RegExp(re.source, re.flags.replace(/[gy]/gu, "")) : undefined);
  const text = plain(spec.text);
  const notText = plain(spec.notText);
  return (post) => {
    const kind = postKind(post);
    if (kinds && !kinds.has(kind)) return `kind:${kind}`;
    if (skipKinds.has(kind)) return `kind:${kind}`;
    const size = post.media?.size;
    if (size !== undefined && post.media!.kind !== "poll") {
      if (spec.minSize !== undefined && size < spec.minSize) return "size-below-min";
      if (spec.maxSize !== undefined && size > spec.maxSize) return "size-above-max";
    }
    if (text && !text.test(post.text)) return "text-mismatch";
    if (notText && notText.test(post.text)) return "text-excluded";
    if (tags) {
      const have = hashtagsOf(post);
      if (!tags.some((t) => have.has(t))) return "no-hashtag";
    }
    return undefined;
  };
}

/**
 * The skip reason of a whole batch: undefined when any item passes (the album is kept whole), else the
 * first item's reason. For albums, text and hashtag filters look at the album's caption (any item's text).
 */
export function batchSkipReason(batch: Batch, filter: PostFilter): string | undefined {
  let first: string | undefined;
  for (const p of batch.posts) {
    const reason = filter(p);
    if (reason === undefined) return undefined;
    first ??= reason;
  }
  if (batch.posts.length > 1) {
    // The caption of an album usually sits on one item only: judge text filters on the joined captions.
    const caption = batch.posts.map((p) => p.text).filter(Boolean).join("\n");
    const captionPosts = batch.posts.map((p) => ({ ...p, text: caption, entities: [] }));
    if (captionPosts.some((p) => filter(p) === undefined)) return undefined;
  }
  return first;
}
