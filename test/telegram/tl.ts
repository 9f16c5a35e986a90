// TL objects for the adapter's unit tests: real Api classes, as Telegram would send them.
import { Api } from "telegram";
import bigInt from "big-integer";

export const CHANNEL_ID = 1001;
export const channelPeer = () => new Api.PeerChannel({ channelId: bigInt(CHANNEL_ID) });
export const inputChannel = () => new Api.InputPeerChannel({ channelId: bigInt(CHANNEL_ID), accessHash: bigInt(777) });

export function photo(id = 500, size = 120_000): Api.Photo {
  return new Api.Photo({
    id: bigInt(id),
    accessHash: bigInt(9),
    fileReference: Buffer.from([1, 2, 3]),
    date: 1,
    sizes: [
      new Api.PhotoStrippedSize({ type: "i", bytes: Buffer.from([1, 2]) }),
      new Api.PhotoSize({ type: "m", w: 320, h: 240, size: 9000 }),
      new Api.PhotoSizeProgressive({ type: "y", w: 1280, h: 960, sizes: [1000, 50_000, size] }),
    ],
    dcId: 2,
  });
}

export function doc(attributes: Api.TypeDocumentAttribute[], opts: { id?: number; size?: number; mime?: string; thumb?: boolean; dcId?: number } = {}): Api.Document {
  return new Api.Document({
    id: bigInt(opts.id ?? 600),
    accessHash: bigInt(10),
    fileReference: Buffer.from([4, 5]),
    date: 1,
    mimeType: opts.mime ?? "application/octet-stream",
    size: bigInt(opts.size ?? 2_000_000),
    thumbs: opts.thumb ? [new Api.PhotoStrippedSize({ type: "i", bytes: Buffer.from([1]) }), new Api.PhotoSize({ type: "m", w: 320, h: 180, size: 7000 })] : undefined,
    dcId: opts.dcId ?? 4,
    attributes,
  });
}

export function message(id: number, fields: Partial<{ message: string; media: Api.TypeMessageMedia; entities: Api.TypeMessageEntity[]; groupedId: number; noforwards: boolean; replyTo: number; date: number; invertMedia: boolean; postAuthor: string }> = {}): Api.Message {
  const m = new Api.Message({
    id,
    peerId: channelPeer(),
    date: fields.date ?? 1_700_000_000 + id,
    message: fields.message ?? "",
    media: fields.media,
    entities: fields.entities,
    groupedId: fields.groupedId !== undefined ? bigInt(fields.groupedId) : undefined,
    noforwards: fields.noforwards,
    replyTo: fields.replyTo !== undefined ? new Api.MessageReplyHeader({ replyToMsgId: fields.replyTo }) : undefined,
    postAuthor: fields.postAuthor,
    post: true,
  });
  if (fields.invertMedia) (m as unknown as { invertMedia: boolean }).invertMedia = true;
  return m;
}
