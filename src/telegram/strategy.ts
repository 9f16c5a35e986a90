/**
 * Choosing how a batch reaches a target, per batch (an album goes one way): forward, copy by reference, or
 * download and reupload. Pure: decided from the posts' protection flags and the sink's options.
 */
import { Api } from "telegram";
import type { Post } from "../model/post.js";
import type { Strategy } from "../ports.js";
import { entityFromApi } from "./convert.js";

/** The user's choice: one strategy for all, or auto (forward/copy where allowed, reupload where protected). */
export type Mode = "auto" | "forward" | "copy" | "reupload";

export interface StrategyOptions {
  readonly mode: Mode;
  /** What auto uses for unprotected posts (default "copy": no "forwarded from" header). */
  readonly prefer?: "copy" | "forward";
  /** Leave protected posts out instead of reuploading them. */
  readonly skipProtected?: boolean;
}

export interface StrategyChoice {
  readonly strategy: Exclude<Strategy, "archive">;
  /** The posts to send, in batch order. */
  readonly send: readonly Post[];
  readonly skipped: ReadonlyArray<{ readonly postId: number; readonly reason: string }>;
}

/** True when the post's text or entities were edited after reading (a forward would send the original). */
export function textEdited(post: Post): boolean {
  const msg = post.ref instanceof Api.Message ? post.ref : undefined;
  if (!msg) return true;
  if ((msg.message ?? "") !== post.text) return true;
  const src = msg.entities ?? [];
  if (src.length !== post.entities.length) return true;
  return src.some((e, i) => {
    const a = entityFromApi(e);
    const b = post.entities[i]!;
    return a.type !== b.type || a.offset !== b.offset || a.length !== b.length || a.url !== b.url;
  });
}

/** True when the post can be sent by reference or forwarded at all (the same account read it, not protected). */
function hasRef(post: Post): boolean {
  return post.ref instanceof Api.Message;
}

/** Decide the strategy of one batch. */
export function chooseStrategy(posts: readonly Post[], opts: StrategyOptions): StrategyChoice {
  const skipped: { postId: number; reason: string }[] = [];
  let send = posts;
  if (opts.skipProtected) {
    send = posts.filter((p) => {
      if (p.noforwards) skipped.push({ postId: p.id, reason: "protected content (skip-protected is set)" });
      return !p.noforwards;
    });
  }
  const anyProtected = send.some((p) => p.noforwards);
  const allRef = send.every(hasRef);
  switch (opts.mode) {
    case "reupload":
      return { strategy: "reupload", send, skipped };
    case "forward":
    case "copy": {
      if (anyProtected) {
        // The user asked for no byte transfer; protected posts cannot go that way.
        const ok = send.filter((p) => !p.noforwards);
        for (const p of send) {
          if (p.noforwards) skipped.push({ postId: p.id, reason: `protected content cannot be sent with mode ${opts.mode} (use auto or reupload)` });
        }
        send = ok;
      }
      if (!allRef) return { strategy: "reupload", send, skipped };
      if (opts.mode === "forward" && send.some(textEdited)) return { strategy: "copy", send, skipped };
      return { strategy: opts.mode, send, skipped };
    }
    case "auto": {
      if (anyProtected || !allRef) return { strategy: "reupload", send, skipped };
      // A forward cannot be a reply: replies are copied so the link survives.
      if (opts.prefer === "forward" && !send.some(textEdited) && !send.some((p) => p.replyTo !== undefined)) {
        return { strategy: "forward", send, skipped };
      }
      return { strategy: "copy", send, skipped };
    }
  }
}

/** Whether a post has a file whose bytes a reupload needs (polls and texts have none). */
export function hasFile(post: Post): boolean {
  return post.media !== undefined && post.media.kind !== "poll";
}
