/** Post fixtures for operator and pipeline tests. */
import type { Post } from "../../src/model/index.js";

/** A plain post; `groupedId` makes it an album item, `size` gives it media of that many bytes. */
export function post(id: number, extra: Partial<Post> & { size?: number } = {}): Post {
  const { size, ...rest } = extra;
  return {
    chatId: "-1001", id, date: 1_700_000_000 + id, text: `post ${id}`, entities: [], noforwards: false,
    linkPreview: false,
    ...(size !== undefined ? { media: { kind: "photo", size } } : {}),
    ...rest,
  };
}
