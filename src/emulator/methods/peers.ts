/** Users, chats and usernames: users.GetUsers/GetFullUser, contacts.ResolveUsername, channels.GetChannels/GetFullChannel/JoinChannel. */
import { Api } from "telegram";
import bigInt from "big-integer";
import type { AccountRec, ChatRec } from "../records.js";
import { fail } from "../rpc.js";
import type { Call, Method, Server } from "../server.js";
import { channelTl, isAdmin, isMember, messageTl, userTl } from "../tl.js";

/** The chat an InputPeerChannel/InputChannel names, with this account's access hash checked. */
export function chatOf(srv: Server, call: Call, peer: unknown): ChatRec {
  if (peer instanceof Api.InputPeerChannel || peer instanceof Api.InputChannel) {
    const id = peer.channelId.toString();
    const chat = srv.world.chat(id);
    if (chat === undefined || !srv.keys.checkAccessHash(call.account.name, "channel", id, peer.accessHash)) fail("CHANNEL_INVALID");
    return chat;
  }
  if (peer instanceof Api.InputPeerEmpty || peer instanceof Api.InputChannelEmpty) fail("PEER_ID_INVALID");
  return fail("PEER_ID_INVALID");
}

/** A chat this account may read: a member, or the chat is public. */
export function readableChat(srv: Server, call: Call, peer: unknown): ChatRec {
  const chat = chatOf(srv, call, peer);
  if (chat.username === undefined && !isMember(chat, call.account.name)) fail("CHANNEL_PRIVATE");
  return chat;
}

/** A chat this account may post to: a member of a supergroup, or an admin of a broadcast channel. */
export function writableChat(srv: Server, call: Call, peer: unknown): ChatRec {
  const chat = chatOf(srv, call, peer);
  const name = call.account.name;
  if (!isMember(chat, name)) fail(chat.username === undefined ? "CHANNEL_PRIVATE" : "CHAT_WRITE_FORBIDDEN");
  if (!chat.megagroup && !isAdmin(chat, name)) fail("CHAT_ADMIN_REQUIRED");
  return chat;
}

function userOf(srv: Server, call: Call, u: unknown): AccountRec | undefined {
  if (u instanceof Api.InputUserSelf) return call.account;
  if (u instanceof Api.InputUser) return srv.world.accountByUserId(u.userId.toString());
  return undefined;
}

const getUsers: Method = (srv, call, req: Api.users.GetUsers) =>
  req.id.map((u: unknown) => {
    const acc = userOf(srv, call, u);
    return acc !== undefined ? userTl(srv, acc, call.account.name) : new Api.UserEmpty({ id: u instanceof Api.InputUser ? u.userId : bigInt(0) });
  });

const getFullUser: Method = (srv, call, req: Api.users.GetFullUser) => {
  const acc = userOf(srv, call, req.id) ?? fail("USER_ID_INVALID");
  return new Api.users.UserFull({
    fullUser: new Api.UserFull({
      id: bigInt(acc.userId),
      settings: new Api.PeerSettings({}),
      notifySettings: new Api.PeerNotifySettings({}),
      commonChatsCount: 0,
    }),
    chats: [],
    users: [userTl(srv, acc, call.account.name)],
  });
};

const resolveUsername: Method = (srv, call, req: Api.contacts.ResolveUsername) => {
  const username = req.username.replace(/^@/, "");
  if (!/^[a-zA-Z][a-zA-Z0-9_]{3,31}$/.test(username)) fail("USERNAME_INVALID");
  const chat = srv.world.chatByUsername(username) ?? fail("USERNAME_NOT_OCCUPIED");
  return new Api.contacts.ResolvedPeer({
    peer: new Api.PeerChannel({ channelId: bigInt(chat.channelId) }),
    chats: [channelTl(srv, chat, call.account.name)],
    users: [],
  });
};

const getChannels: Method = (srv, call, req: Api.channels.GetChannels) =>
  new Api.messages.Chats({ chats: req.id.map((c: unknown) => channelTl(srv, chatOf(srv, call, c), call.account.name)) });

const getFullChannel: Method = (srv, call, req: Api.channels.GetFullChannel) => {
  const chat = readableChat(srv, call, req.channel);
  const members = new Set([chat.owner, ...chat.members, ...chat.admins]);
  return new Api.messages.ChatFull({
    fullChat: new Api.ChannelFull({
      id: bigInt(chat.channelId),
      about: "",
      participantsCount: members.size,
      adminsCount: new Set([chat.owner, ...chat.admins]).size,
      readInboxMaxId: chat.topId,
      readOutboxMaxId: chat.topId,
      unreadCount: 0,
      chatPhoto: new Api.PhotoEmpty({ id: bigInt(0) }),
      notifySettings: new Api.PeerNotifySettings({}),
      botInfo: [],
      pts: chat.pts,
      slowmodeSeconds: chat.slowModeSeconds > 0 ? chat.slowModeSeconds : undefined,
    }),
    chats: [channelTl(srv, chat, call.account.name)],
    users: [],
  });
};

const joinChannel: Method = (srv, call, req: Api.channels.JoinChannel) => {
  const chat = chatOf(srv, call, req.channel);
  if (chat.username === undefined && !isMember(chat, call.account.name)) fail("INVITE_HASH_EXPIRED");
  if (!isMember(chat, call.account.name)) {
    chat.members.push(call.account.name);
    srv.world.putChat(chat);
  }
  return new Api.Updates({ updates: [], users: [], chats: [channelTl(srv, chat, call.account.name)], date: srv.date(), seq: 0 });
};

/** The account's chats, newest activity first; all in one answer (messages.Dialogs, not a slice). */
const getDialogs: Method = (srv, call, req: Api.messages.GetDialogs) => {
  const name = call.account.name;
  const chats = srv.world.chats().filter((c) => isMember(c, name)).reverse().slice(0, Math.max(1, req.limit || 100));
  const tops = chats.map((c) => srv.world.message(c.channelId, c.topId)).filter((m) => m !== undefined);
  return new Api.messages.Dialogs({
    dialogs: chats.map((c) => new Api.Dialog({
      peer: new Api.PeerChannel({ channelId: bigInt(c.channelId) }),
      topMessage: c.topId, readInboxMaxId: c.topId, readOutboxMaxId: c.topId, unreadCount: 0, unreadMentionsCount: 0,
      unreadReactionsCount: 0, notifySettings: new Api.PeerNotifySettings({}), pts: c.pts,
    })),
    messages: chats.flatMap((c, i) => (tops[i] ? [messageTl(srv, c, tops[i]!, name)] : [])),
    chats: chats.map((c) => channelTl(srv, c, name)),
    users: [userTl(srv, call.account, name)],
  });
};

const getState: Method = (srv) => new Api.updates.State({ pts: 1, qts: 0, date: srv.date(), seq: 0, unreadCount: 0 });

export const peerMethods: Record<string, Method> = {
  "users.GetUsers": getUsers,
  "users.GetFullUser": getFullUser,
  "contacts.ResolveUsername": resolveUsername,
  "channels.GetChannels": getChannels,
  "channels.GetFullChannel": getFullChannel,
  "channels.JoinChannel": joinChannel,
  "updates.GetState": getState,
  "messages.GetDialogs": getDialogs,
};
