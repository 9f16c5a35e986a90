import type { Post } from "./post.js";

/** Telegram's album limit. */
export const MAX_ALBUM_SIZE = 10;

/**
 * What is sent in one go: a single post, or an album of 2..10 posts sharing a groupedId, in source order.
 * `seq` is the batch's position in its job (source order), used to order sends across accounts.
 */
export interface Batch {
  readonly posts: readonly Post[];
  readonly groupedId?: string;
  readonly seq: number;
}

export function isAlbum(batch: Batch): boolean {
  return batch.posts.length > 1 || batch.groupedId !== undefined;
}

export function batchOf(posts: readonly Post[], seq: number): Batch {
  if (posts.length === 0) throw new RangeError("a batch has at least one post");
  if (posts.length > MAX_ALBUM_SIZE) throw new RangeError(`a batch has at most ${MAX_ALBUM_SIZE} posts`);
  const groupedId = posts[0]!.groupedId;
  return groupedId === undefined ? { posts, seq } : { posts, groupedId, seq };
}

export function batchIds(batch: Batch): number[] {
  return batch.posts.map((p) => p.id);
}

/** Sum of media sizes in the batch, the bytes a download of it moves. */
export function batchBytes(batch: Batch): number {
  let n = 0;
  for (const p of batch.posts) n += p.media?.size ?? 0;
  return n;
}
