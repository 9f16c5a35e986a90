/**
 * Telegram Desktop's text: a string, or an array of plain strings and typed parts (`text`), or the
 * array of typed parts `text_entities` (since 4.1.2). Joined, the parts are the exact message text, and
 * each typed part becomes an entity whose offset and length are JavaScript string lengths — UTF-16 code
 * units, which is what Telegram counts.
 */
import type { Entity, EntityType } from "../model/index.js";

/** One part as the export writes it. */
export interface TextPart {
  readonly type: string;
  readonly text: string;
  readonly href?: string;
  readonly language?: string;
  readonly user_id?: number | string;
  readonly document_id?: string;
  readonly collapsed?: boolean;
}

/** Export part types and the model's entity types (plain parts make no entity). */
const TYPES: Record<string, EntityType | undefined> = {
  mention: "mention",
  hashtag: "hashtag",
  cashtag: "cashtag",
  bot_command: "botCommand",
  link: "url",
  email: "email",
  phone: "phone",
  bold: "bold",
  italic: "italic",
  underline: "underline",
  strikethrough: "strike",
  code: "code",
  pre: "pre",
  text_link: "textUrl",
  mention_name: "mentionName",
  spoiler: "spoiler",
  blockquote: "blockquote",
  bank_card: "bankCard",
};

/** The result of reading a text, with what could not be kept. */
export interface ParsedText {
  readonly text: string;
  readonly entities: Entity[];
  /** Part types that were dropped (custom emoji: the export keeps a file path, not the emoji's id). */
  readonly dropped: string[];
}

/**
 * Text and entities of a message. `text_entities` is preferred when present (it is the same text in
 * typed parts); `text` is a string or an array of strings and parts.
 */
export function parseText(text: unknown, textEntities?: unknown): ParsedText {
  const parts: TextPart[] = [];
  // text_entities is the same text in parts; an empty one beside a non-empty text (hand-made files) loses to text.
  const useEntities = Array.isArray(textEntities) && (textEntities.length > 0 || text === "" || text === undefined);
  const source = useEntities ? (textEntities as unknown[]) : Array.isArray(text) ? text : [text ?? ""];
  for (const p of source) {
    if (typeof p === "string") parts.push({ type: "plain", text: p });
    else if (p && typeof p === "object" && typeof (p as TextPart).text === "string") parts.push(p as TextPart);
  }
  let out = "";
  const entities: Entity[] = [];
  const dropped: string[] = [];
  for (const part of parts) {
    const offset = out.length;
    out += part.text;
    const type = TYPES[part.type];
    if (part.text.length === 0) continue;
    if (type === undefined) {
      if (part.type !== "plain" && part.type !== "unknown") dropped.push(part.type);
      continue;
    }
    const e: { -readonly [K in keyof Entity]: Entity[K] } = { type, offset, length: part.text.length };
    if (type === "textUrl") e.url = part.href ?? "";
    if (type === "pre" && part.language) e.language = part.language;
    if (type === "mentionName" && part.user_id !== undefined) e.userId = String(part.user_id);
    if (type === "blockquote" && part.collapsed) e.collapsed = true;
    entities.push(e);
  }
  return { text: out, entities, dropped };
}

/** Plain text of a string or array of parts (poll questions and answers). */
export function plainText(text: unknown): string {
  return parseText(text).text;
}
