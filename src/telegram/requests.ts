/**
 * Every TL request the adapter sends, built by plain functions so tests can check them (and their
 * serialisation with getBytes()) without a client. No parse mode anywhere: texts and entities go raw.
 */
import { Api } from "telegram";
import bigInt from "big-integer";

/** Telegram's page size limit for history reads. */
export const HISTORY_PAGE_LIMIT = 100;
/** upload.GetFile request size: the maximum GramJS allows and a divisor of 1 MB, so no request crosses a 1 MB border. */
export const FILE_PART_SIZE = 512 * 1024;
/** messages.ForwardMessages accepts at most this many ids. */
export const FORWARD_LIMIT = 100;

/**
 * One page of history in ascending order: the `limit` oldest messages with id >= `fromId`
 * (offsetId = fromId with addOffset = -limit is how Telegram reads "upwards").
 */
export function historyPageRequest(peer: Api.TypeInputPeer, fromId: number, limit = HISTORY_PAGE_LIMIT): Api.messages.GetHistory {
  const l = Math.max(1, Math.min(HISTORY_PAGE_LIMIT, limit));
  return new Api.messages.GetHistory({
    peer,
    offsetId: Math.max(1, fromId),
    offsetDate: 0,
    addOffset: -l,
    limit: l,
    maxId: 0,
    minId: 0,
    hash: bigInt(0),
  });
}

/** The first page of a date range: the `limit` oldest messages sent at or after `since` (unix seconds). */
export function historyFromDateRequest(peer: Api.TypeInputPeer, since: number, limit = HISTORY_PAGE_LIMIT): Api.messages.GetHistory {
  const l = Math.max(1, Math.min(HISTORY_PAGE_LIMIT, limit));
  return new Api.messages.GetHistory({ peer, offsetId: 0, offsetDate: since, addOffset: -l, limit: l, maxId: 0, minId: 0, hash: bigInt(0) });
}

/** The newest `limit` messages of a chat (used to find what a duplicate random id already posted). */
export function recentHistoryRequest(peer: Api.TypeInputPeer, limit = HISTORY_PAGE_LIMIT): Api.messages.GetHistory {
  return new Api.messages.GetHistory({
    peer, offsetId: 0, offsetDate: 0, addOffset: 0, limit: Math.min(limit, HISTORY_PAGE_LIMIT), maxId: 0, minId: 0, hash: bigInt(0),
  });
}

/** Messages by id: channels.GetMessages for channels, messages.GetMessages otherwise. */
export function messagesByIdRequest(peer: Api.TypeInputPeer, ids: readonly number[]): Api.channels.GetMessages | Api.messages.GetMessages {
  const id = ids.map((i) => new Api.InputMessageID({ id: i }));
  if (peer instanceof Api.InputPeerChannel) {
    return new Api.channels.GetMessages({ channel: new Api.InputChannel({ channelId: peer.channelId, accessHash: peer.accessHash }), id });
  }
  return new Api.messages.GetMessages({ id });
}

/** One aligned part of a file. */
export function getFileRequest(location: Api.TypeInputFileLocation, offset: number, limit = FILE_PART_SIZE): Api.upload.GetFile {
  if (offset % 4096 !== 0 || limit % 4096 !== 0) throw new RangeError(`GetFile offset ${offset} and limit ${limit} must be multiples of 4096`);
  if (Math.floor(offset / (1024 * 1024)) !== Math.floor((offset + limit - 1) / (1024 * 1024))) {
    throw new RangeError(`GetFile part ${offset}+${limit} crosses a 1 MB border`);
  }
  return new Api.upload.GetFile({ location, offset: bigInt(offset), limit, precise: false, cdnSupported: false });
}

/** The file location of a photo's size `type`, or of a document (thumbSize "" = the file itself, else that thumbnail). */
export function fileLocation(media: Api.Photo | Api.Document, thumbSize = ""): Api.TypeInputFileLocation {
  if (media instanceof Api.Photo) {
    return new Api.InputPhotoFileLocation({ id: media.id, accessHash: media.accessHash, fileReference: media.fileReference, thumbSize });
  }
  return new Api.InputDocumentFileLocation({ id: media.id, accessHash: media.accessHash, fileReference: media.fileReference, thumbSize });
}

/** Options common to sends. */
export interface SendOptions {
  readonly silent?: boolean;
  readonly replyToMsgId?: number;
  readonly invertMedia?: boolean;
}

function replyTo(id: number | undefined): Api.InputReplyToMessage | undefined {
  return id === undefined ? undefined : new Api.InputReplyToMessage({ replyToMsgId: id });
}

/** A text message, link preview on or off as in the source. */
export function sendMessageRequest(
  peer: Api.TypeInputPeer,
  text: string,
  entities: Api.TypeMessageEntity[],
  randomId: bigInt.BigInteger,
  opts: SendOptions & { linkPreview: boolean },
): Api.messages.SendMessage {
  return new Api.messages.SendMessage({
    peer,
    message: text,
    entities: entities.length > 0 ? entities : undefined,
    randomId,
    noWebpage: !opts.linkPreview || undefined,
    silent: opts.silent || undefined,
    invertMedia: opts.invertMedia || undefined,
    replyTo: replyTo(opts.replyToMsgId),
  });
}

/** A single media with its caption. */
export function sendMediaRequest(
  peer: Api.TypeInputPeer,
  media: Api.TypeInputMedia,
  caption: string,
  entities: Api.TypeMessageEntity[],
  randomId: bigInt.BigInteger,
  opts: SendOptions = {},
): Api.messages.SendMedia {
  return new Api.messages.SendMedia({
    peer,
    media,
    message: caption,
    entities: entities.length > 0 ? entities : undefined,
    randomId,
    silent: opts.silent || undefined,
    invertMedia: opts.invertMedia || undefined,
    replyTo: replyTo(opts.replyToMsgId),
  });
}

/** One album item: its own media, caption, entities and random id. */
export interface AlbumItem {
  readonly media: Api.TypeInputMedia;
  readonly caption: string;
  readonly entities: Api.TypeMessageEntity[];
  readonly randomId: bigInt.BigInteger;
}

/** An album in one request, each item with its own caption and entities. */
export function sendAlbumRequest(peer: Api.TypeInputPeer, items: readonly AlbumItem[], opts: SendOptions = {}): Api.messages.SendMultiMedia {
  if (items.length < 1 || items.length > 10) throw new RangeError(`an album has 1..10 items, not ${items.length}`);
  return new Api.messages.SendMultiMedia({
    peer,
    multiMedia: items.map(
      (it) =>
        new Api.InputSingleMedia({
          media: it.media,
          message: it.caption,
          entities: it.entities.length > 0 ? it.entities : undefined,
          randomId: it.randomId,
        }),
    ),
    silent: opts.silent || undefined,
    invertMedia: opts.invertMedia || undefined,
    replyTo: replyTo(opts.replyToMsgId),
  });
}

/** Upload a file's media to get a reusable photo/document (sendable to several targets without uploading again). */
export function uploadMediaRequest(peer: Api.TypeInputPeer, media: Api.TypeInputMedia): Api.messages.UploadMedia {
  return new Api.messages.UploadMedia({ peer, media });
}

/** Forward messages natively: ascending ids, one random id each, at most 100 (an album is never split). */
export function forwardRequest(
  fromPeer: Api.TypeInputPeer,
  toPeer: Api.TypeInputPeer,
  ids: readonly number[],
  randomIds: readonly bigInt.BigInteger[],
  opts: { silent?: boolean; dropAuthor?: boolean } = {},
): Api.messages.ForwardMessages {
  if (ids.length < 1 || ids.length > FORWARD_LIMIT) throw new RangeError(`ForwardMessages takes 1..${FORWARD_LIMIT} ids, not ${ids.length}`);
  if (ids.length !== randomIds.length) throw new RangeError("one random id per forwarded message");
  for (let i = 1; i < ids.length; i++) if (ids[i]! <= ids[i - 1]!) throw new RangeError("forwarded ids must be ascending");
  // randomId is passed explicitly: GramJS would otherwise generate random ones in the constructor.
  return new Api.messages.ForwardMessages({
    fromPeer,
    toPeer,
    id: [...ids],
    randomId: [...randomIds],
    silent: opts.silent || undefined,
    dropAuthor: opts.dropAuthor || undefined,
  });
}

/** Resolve a public username. */
export function resolveUsernameRequest(username: string): Api.contacts.ResolveUsername {
  return new Api.contacts.ResolveUsername({ username });
}

/** A channel by id (with the access hash when known). */
export function getChannelsRequest(channelId: string, accessHash = "0"): Api.channels.GetChannels {
  return new Api.channels.GetChannels({ id: [new Api.InputChannel({ channelId: bigInt(channelId), accessHash: bigInt(accessHash) })] });
}

/** A page of the account's dialogs (to find a chat's access hash by id, as official clients do). */
export function dialogsRequest(offsetDate = 0, offsetId = 0, offsetPeer: Api.TypeInputPeer = new Api.InputPeerEmpty(), limit = 100): Api.messages.GetDialogs {
  return new Api.messages.GetDialogs({ offsetDate, offsetId, offsetPeer, limit, hash: bigInt(0) });
}

/** The logged-in user. */
export function getSelfRequest(): Api.users.GetUsers {
  return new Api.users.GetUsers({ id: [new Api.InputUserSelf()] });
}

/** The message ids a send produced, by random id (UpdateMessageID pairs in the Updates). */
export function sentIdsByRandomId(result: Api.TypeUpdates): Map<string, number> {
  const out = new Map<string, number>();
  const updates = result instanceof Api.Updates || result instanceof Api.UpdatesCombined ? result.updates : [];
  for (const u of updates) if (u instanceof Api.UpdateMessageID && u.randomId !== undefined) out.set(u.randomId.toString(), u.id);
  return out;
}

/** The messages a send produced (UpdateNewChannelMessage/UpdateNewMessage), by id. */
export function sentMessages(result: Api.TypeUpdates): Map<number, Api.Message> {
  const out = new Map<number, Api.Message>();
  const updates = result instanceof Api.Updates || result instanceof Api.UpdatesCombined ? result.updates : [];
  for (const u of updates) {
    if ((u instanceof Api.UpdateNewChannelMessage || u instanceof Api.UpdateNewMessage) && u.message instanceof Api.Message) {
      out.set(u.message.id, u.message);
    }
  }
  return out;
}
