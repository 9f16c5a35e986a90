/** Reading: messages.GetHistory (Telegram's offset/addOffset/limit/minId/maxId slicing) and channels.GetMessages. */
import { Api } from "telegram";
import type { ChatRec, MessageRec } from "../records.js";
import { fail } from "../rpc.js";
import type { Method, Server } from "../server.js";
import { channelTl, messageTl, usersOf } from "../tl.js";
import { readableChat } from "./peers.js";

/** Telegram's most messages per GetHistory. */
export const HISTORY_LIMIT = 100;

/**
 * The history window Telegram returns: messages newest first; the window starts at the first message older
 * than offsetId (or offsetDate) moved by addOffset (negative moves to newer messages), `limit` long; then only
 * ids inside (minId, maxId) are kept.
 */
export function historySlice(srv: Server, chat: ChatRec, q: { offsetId: number; offsetDate: number; addOffset: number; limit: number; minId: number; maxId: number }): MessageRec[] {
  const limit = Math.max(0, Math.min(HISTORY_LIMIT, q.limit));
  let anchor = q.offsetId > 0 ? q.offsetId : Number.MAX_SAFE_INTEGER;
  if (q.offsetId <= 0 && q.offsetDate > 0) {
    const before = srv.world.firstBeforeDate(chat.channelId, q.offsetDate);
    anchor = before === undefined ? 0 : before + 1;
  }
  let window: MessageRec[];
  if (q.addOffset >= 0) {
    window = limit === 0 ? [] : srv.world.olderDesc(chat.channelId, anchor, limit, q.addOffset);
  } else {
    // Newest-first list D, anchor position pos: the window is D[max(0, pos+addOffset) : max(0, pos+addOffset+limit)].
    // Its part above the anchor is read oldest-first from the anchor up, its part below newest-first from the anchor down.
    const above = srv.world.newerAsc(chat.channelId, anchor, -q.addOffset);
    const newer = above.slice(Math.max(0, -q.addOffset - limit)).reverse();
    const older = q.addOffset + limit > 0 ? srv.world.olderDesc(chat.channelId, anchor, q.addOffset + limit) : [];
    window = [...newer, ...older];
  }
  return window.filter((m) => (q.minId <= 0 || m.id > q.minId) && (q.maxId <= 0 || m.id < q.maxId));
}

function messagesAnswer(srv: Server, chat: ChatRec, viewer: string, messages: (MessageRec | number)[]): Api.messages.ChannelMessages {
  const tl = messages.map((m) => (typeof m === "number" ? new Api.MessageEmpty({ id: m }) : messageTl(srv, chat, m, viewer)));
  const users = usersOf(srv, chat, messages.filter((m): m is MessageRec => typeof m !== "number"), viewer);
  return new Api.messages.ChannelMessages({
    pts: chat.pts,
    count: srv.world.messageCount(chat.channelId),
    messages: tl,
    topics: [],
    chats: [channelTl(srv, chat, viewer)],
    users,
  });
}

const getHistory: Method = (srv, call, req: Api.messages.GetHistory) => {
  const chat = readableChat(srv, call, req.peer);
  const window = historySlice(srv, chat, {
    offsetId: req.offsetId, offsetDate: req.offsetDate, addOffset: req.addOffset, limit: req.limit, minId: req.minId, maxId: req.maxId,
  });
  return messagesAnswer(srv, chat, call.account.name, window);
};

const getChannelMessages: Method = (srv, call, req: Api.channels.GetMessages) => {
  const chat = readableChat(srv, call, req.channel);
  if (req.id.length === 0) fail("MESSAGE_IDS_EMPTY");
  if (req.id.length > 100) fail("LIMIT_INVALID");
  const found = req.id.map((input) => {
    const id = input instanceof Api.InputMessageID ? input.id : fail("MESSAGE_ID_INVALID");
    return srv.world.message(chat.channelId, id) ?? id;
  });
  return messagesAnswer(srv, chat, call.account.name, found);
};

/** Messages of private chats and basic groups by id: the emulator has only channels, so every id is empty. */
const getMessages: Method = (_srv, _call, req: Api.messages.GetMessages) =>
  new Api.messages.Messages({ messages: req.id.map((m) => new Api.MessageEmpty({ id: m instanceof Api.InputMessageID ? m.id : 0 })), chats: [], users: [] });

export const historyMethods: Record<string, Method> = {
  "messages.GetMessages": getMessages,
  "messages.GetHistory": getHistory,
  "channels.GetMessages": getChannelMessages,
};
