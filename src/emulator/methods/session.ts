/** Request wrappers and session methods: InvokeWithTakeout / InvokeWithoutUpdates (unwrapped), takeout sessions, participants. */
import { Api } from "telegram";
import bigInt from "big-integer";
import { fail } from "../rpc.js";
import type { Method } from "../server.js";
import { channelTl, isAdmin, isMember, userTl } from "../tl.js";
import { chatOf } from "./peers.js";

/** Wrapped requests are answered as their inner query. */
const unwrap: Method = (srv, call, req: { query: Api.AnyRequest }) => srv.dispatch(call, req.query);

const initTakeout: Method = (srv, call) => new Api.account.Takeout({ id: bigInt(srv.world.next(`takeout:${call.account.name}`)) });
const finishTakeout: Method = () => true;

const getParticipant: Method = (srv, call, req: Api.channels.GetParticipant) => {
  const chat = chatOf(srv, call, req.channel);
  const who = req.participant instanceof Api.InputPeerSelf ? call.account : req.participant instanceof Api.InputPeerUser ? srv.world.accountByUserId(req.participant.userId.toString()) : undefined;
  if (who === undefined) fail("PARTICIPANT_ID_INVALID");
  if (!isMember(chat, who.name)) fail("USER_NOT_PARTICIPANT");
  const userId = bigInt(who.userId);
  const rights = new Api.ChatAdminRights({ postMessages: true, editMessages: true, deleteMessages: true, inviteUsers: true, changeInfo: chat.owner === who.name });
  const participant = chat.owner === who.name
    ? new Api.ChannelParticipantCreator({ userId, adminRights: rights })
    : isAdmin(chat, who.name)
      ? new Api.ChannelParticipantAdmin({ userId, promotedBy: bigInt(srv.world.account(chat.owner)!.userId), date: chat.date, adminRights: rights, self: who.name === call.account.name })
      : new Api.ChannelParticipant({ userId, date: chat.date });
  return new Api.channels.ChannelParticipant({ participant, chats: [channelTl(srv, chat, call.account.name)], users: [userTl(srv, who, call.account.name)] });
};

export const sessionMethods: Record<string, Method> = {
  InvokeWithTakeout: unwrap,
  InvokeWithoutUpdates: unwrap,
  "account.InitTakeoutSession": initTakeout,
  "account.FinishTakeoutSession": finishTakeout,
  "channels.GetParticipant": getParticipant,
};
