/**
 * Whether an account may post in a target chat, asked before anything is sent (channels.GetParticipant on
 * itself): a broadcast channel needs its creator or an admin with the right to post, a supergroup a member
 * that is not banned. Without it the first send failed with CHAT_ADMIN_REQUIRED after the other targets
 * had their posts, and the posts of that run stayed "in flight".
 */
import { Api, errors, type TelegramClient } from "telegram";
import type { ChatInfo } from "../telegram/index.js";

/** Why `client`'s account cannot post in `chat`, or undefined when it can (or when Telegram does not say). */
export async function postRefusal(client: TelegramClient, chat: ChatInfo): Promise<string | undefined> {
  if (chat.kind !== "channel" && chat.kind !== "supergroup") return undefined;
  const peer = chat.peer;
  if (!(peer instanceof Api.InputPeerChannel)) return undefined;
  let participant: Api.TypeChannelParticipant;
  try {
    const r = await client.invoke(new Api.channels.GetParticipant({
      channel: new Api.InputChannel({ channelId: peer.channelId, accessHash: peer.accessHash }),
      participant: new Api.InputPeerSelf(),
    }));
    participant = r.participant;
  } catch (e) {
    if (e instanceof errors.RPCError && e.errorMessage === "USER_NOT_PARTICIPANT") return "it is not a member (USER_NOT_PARTICIPANT)";
    if (e instanceof errors.RPCError && e.errorMessage === "CHAT_ADMIN_REQUIRED") return "it is not an admin (CHAT_ADMIN_REQUIRED)";
    return undefined; // Telegram did not say: the sends will tell
  }
  if (participant instanceof Api.ChannelParticipantCreator) return undefined;
  if (participant instanceof Api.ChannelParticipantBanned) return "it is banned or restricted there";
  if (participant instanceof Api.ChannelParticipantLeft) return "it has left the chat";
  if (chat.kind === "supergroup") return undefined;
  if (participant instanceof Api.ChannelParticipantAdmin) {
    return participant.adminRights.postMessages ? undefined : "it is an admin without the right to post messages (CHAT_ADMIN_REQUIRED)";
  }
  return "it is not an admin of the channel (CHAT_ADMIN_REQUIRED)";
}
