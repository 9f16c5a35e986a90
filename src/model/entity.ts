/**
 * A formatting entity of a message text or caption, as Telegram has it.
 * Offsets and lengths are in UTF-16 code units (JavaScript string indices), exactly as in the TL schema,
 * so they can be copied without conversion.
 */
export type EntityType =
  | "mention" // @username
  | "hashtag"
  | "cashtag"
  | "botCommand"
  | "url"
  | "email"
  | "phone"
  | "bold"
  | "italic"
  | "underline"
  | "strike"
  | "code"
  | "pre" // `language` may be set
  | "textUrl" // `url` is set
  | "mentionName" // `userId` is set
  | "customEmoji" // `documentId` is set
  | "spoiler"
  | "blockquote" // `collapsed` may be set
  | "bankCard"
  | "unknown";

export interface Entity {
  readonly type: EntityType;
  /** UTF-16 code units from the start of the text. */
  readonly offset: number;
  /** UTF-16 code units. */
  readonly length: number;
  readonly url?: string;
  readonly language?: string;
  /** Decimal string of a 64-bit user id (mentionName). */
  readonly userId?: string;
  /** Decimal string of a 64-bit custom emoji document id. */
  readonly documentId?: string;
  readonly collapsed?: boolean;
}

export const ENTITY_TYPES: readonly EntityType[] = [
  "mention", "hashtag", "cashtag", "botCommand", "url", "email", "phone", "bold", "italic", "underline",
  "strike", "code", "pre", "textUrl", "mentionName", "customEmoji", "spoiler", "blockquote", "bankCard", "unknown",
];
