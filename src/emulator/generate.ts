import type { ChatRec } from "./records.js";
import type { GenerateOptions, PostSpec } from "./types.js";

/** Generate posts into a chat (filled in below). */
export function generatePosts(_opts: GenerateOptions, _chat: ChatRec, _userIds: string[], _add: (spec: PostSpec) => number): number[] {
  throw new Error("not yet");
}
