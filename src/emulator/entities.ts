import { Api } from "telegram";
import bigInt from "big-integer";
import type { Entity, EntityType } from "../model/index.js";
import { fail } from "./rpc.js";

type Base = { offset: number; length: number };

/** A model entity as the TL MessageEntity a reader receives. */
export function entityToTl(e: Entity): Api.TypeMessageEntity {
  const b: Base = { offset: e.offset, length: e.length };
  switch (e.type) {
    case "mention": return new Api.MessageEntityMention(b);
    case "hashtag": return new Api.MessageEntityHashtag(b);
    case "cashtag": return new Api.MessageEntityCashtag(b);
    case "botCommand": return new Api.MessageEntityBotCommand(b);
    case "url": return new Api.MessageEntityUrl(b);
    case "email": return new Api.MessageEntityEmail(b);
    case "phone": return new Api.MessageEntityPhone(b);
    case "bold": return new Api.MessageEntityBold(b);
    case "italic": return new Api.MessageEntityItalic(b);
    case "underline": return new Api.MessageEntityUnderline(b);
    case "strike": return new Api.MessageEntityStrike(b);
    case "code": return new Api.MessageEntityCode(b);
    case "pre": return new Api.MessageEntityPre({ ...b, language: e.language ?? "" });
    case "textUrl": return new Api.MessageEntityTextUrl({ ...b, url: e.url ?? "" });
    case "mentionName": return new Api.MessageEntityMentionName({ ...b, userId: bigInt(e.userId ?? "0") });
    case "customEmoji": return new Api.MessageEntityCustomEmoji({ ...b, documentId: bigInt(e.documentId ?? "0") });
    case "spoiler": return new Api.MessageEntitySpoiler(b);
    case "blockquote": return new Api.MessageEntityBlockquote({ ...b, collapsed: e.collapsed });
    case "bankCard": return new Api.MessageEntityBankCard(b);
    default: return new Api.MessageEntityUnknown(b);
  }
}

const SIMPLE: Record<string, EntityType> = {
  MessageEntityMention: "mention", MessageEntityHashtag: "hashtag", MessageEntityCashtag: "cashtag",
  MessageEntityBotCommand: "botCommand", MessageEntityUrl: "url", MessageEntityEmail: "email",
  MessageEntityPhone: "phone", MessageEntityBold: "bold", MessageEntityItalic: "italic",
  MessageEntityUnderline: "underline", MessageEntityStrike: "strike", MessageEntityCode: "code",
  MessageEntitySpoiler: "spoiler", MessageEntityBankCard: "bankCard", MessageEntityUnknown: "unknown",
};

/**
 * An entity of a send request as the model entity Telegram stores. As on Telegram, a mention by user id must
 * be sent as InputMessageEntityMentionName; the reader-side MessageEntityMentionName is refused.
 */
export function entityFromRequest(tl: Api.TypeMessageEntity, senderUserId: string): Entity {
  const b = { offset: tl.offset, length: tl.length };
  const simple = SIMPLE[tl.className];
  if (simple !== undefined) return { type: simple, ...b };
  if (tl instanceof Api.MessageEntityPre) return tl.language ? { type: "pre", ...b, language: tl.language } : { type: "pre", ...b };
  if (tl instanceof Api.MessageEntityTextUrl) return { type: "textUrl", ...b, url: tl.url };
  if (tl instanceof Api.MessageEntityCustomEmoji) return { type: "customEmoji", ...b, documentId: tl.documentId.toString() };
  if (tl instanceof Api.MessageEntityBlockquote) return tl.collapsed ? { type: "blockquote", ...b, collapsed: true } : { type: "blockquote", ...b };
  if (tl instanceof Api.InputMessageEntityMentionName) {
    const u = tl.userId;
    const userId = u instanceof Api.InputUser ? u.userId.toString() : u instanceof Api.InputUserSelf ? senderUserId : fail("USER_ID_INVALID");
    return { type: "mentionName", ...b, userId };
  }
  if (tl instanceof Api.MessageEntityMentionName) fail("ENTITY_MENTION_USER_INVALID");
  return { type: "unknown", ...b };
}

/** A TL entity of a reader's message (for inspection) as the model entity. */
export function entityFromTl(tl: Api.TypeMessageEntity): Entity {
  if (tl instanceof Api.MessageEntityMentionName) return { type: "mentionName", offset: tl.offset, length: tl.length, userId: tl.userId.toString() };
  return entityFromRequest(tl, "0");
}
