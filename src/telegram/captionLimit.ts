/**
 * Captions longer than the sending account allows (1024 UTF-16 units, 4096 with Premium; texts 4096).
 * The policy is stated and never silent: "split" sends the overflow as text messages right after the media,
 * "truncate" cuts it, "fail" skips the post; each case adds a warning to the Delivery.
 */
import type { Entity } from "../model/entity.js";

export type CaptionPolicy = "split" | "truncate" | "fail";

/** Telegram's limits in UTF-16 code units. */
export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
export const PREMIUM_CAPTION_LIMIT = 4096;

export interface TextPart {
  readonly text: string;
  readonly entities: readonly Entity[];
}

/** Entities of `text[start, end)`, clipped to it and shifted to start at 0. */
export function sliceEntities(entities: readonly Entity[], start: number, end: number): Entity[] {
  const out: Entity[] = [];
  for (const e of entities) {
    const s = Math.max(e.offset, start);
    const t = Math.min(e.offset + e.length, end);
    if (t > s) out.push({ ...e, offset: s - start, length: t - s });
  }
  return out;
}

/** Where to cut `text` at or before `limit`: a newline or space near the end if there is one, never inside a surrogate pair. */
export function cutPoint(text: string, limit: number): number {
  if (text.length <= limit) return text.length;
  let cut = limit;
  const floor = Math.floor(limit * 0.8);
  for (let i = limit; i > floor; i--) {
    const c = text.charCodeAt(i - 1);
    if (c === 10) { cut = i; break; }
  }
  if (cut === limit) {
    for (let i = limit; i > floor; i--) if (text.charCodeAt(i - 1) === 32) { cut = i; break; }
  }
  // Never split a surrogate pair: a high surrogate right before the cut moves the cut back by one.
  const prev = text.charCodeAt(cut - 1);
  if (prev >= 0xd800 && prev <= 0xdbff) cut -= 1;
  return cut;
}

/** Split `part` into pieces: the first at most `firstLimit` long, the others at most TEXT_LIMIT. */
export function splitText(part: TextPart, firstLimit: number, restLimit = TEXT_LIMIT): TextPart[] {
  const pieces: TextPart[] = [];
  let start = 0;
  let limit = firstLimit;
  const { text } = part;
  while (start < text.length || pieces.length === 0) {
    const cut = start + cutPoint(text.slice(start), limit);
    pieces.push({ text: text.slice(start, cut), entities: sliceEntities(part.entities, start, cut) });
    start = cut;
    limit = restLimit;
    if (cut >= text.length) break;
  }
  return pieces;
}

/** The outcome of applying the caption policy. */
export interface CaptionPlan {
  /** The caption (or text) to send with the media. */
  readonly head: TextPart;
  /** Text messages to send after it ("split"). */
  readonly tail: readonly TextPart[];
  /** What happened, for the Delivery's warnings; undefined when the text fit. */
  readonly warning?: string;
  /** "fail" policy and too long: the post must be skipped with this reason. */
  readonly skipReason?: string;
}

/** Apply `policy` to a caption or text of post `postId` against `limit`. */
export function planCaption(part: TextPart, limit: number, policy: CaptionPolicy, postId: number): CaptionPlan {
  if (part.text.length <= limit) return { head: part, tail: [] };
  const n = part.text.length;
  if (policy === "fail") {
    return { head: part, tail: [], skipReason: `caption of post ${postId} is ${n} characters, the limit is ${limit} (caption policy "fail")` };
  }
  const pieces = splitText(part, limit);
  if (policy === "truncate") {
    return { head: pieces[0]!, tail: [], warning: `caption of post ${postId} cut from ${n} to ${pieces[0]!.text.length} characters (limit ${limit})` };
  }
  return {
    head: pieces[0]!,
    tail: pieces.slice(1),
    warning: `caption of post ${postId} (${n} characters, limit ${limit}) split: the rest follows as ${pieces.length - 1} text message(s)`,
  };
}
