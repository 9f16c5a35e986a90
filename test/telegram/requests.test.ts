import { describe, expect, it } from "vitest";
import { Api } from "telegram";
import bigInt from "big-integer";
import {
  fileLocation,
  forwardRequest,
  getFileRequest,
  historyPageRequest,
  messagesByIdRequest,
  sendAlbumRequest,
  sendMessageRequest,
  sentIdsByRandomId,
  FILE_PART_SIZE,
} from "../../src/telegram/requests.js";
import { randomIdFor } from "../../src/telegram/randomId.js";
import { doc, inputChannel, photo } from "./tl.js";

const target = () => new Api.InputPeerChannel({ channelId: bigInt(2002), accessHash: bigInt(5) });

describe("request builders serialise (getBytes) and say what they should", () => {
  it("history pages read upwards from an id", () => {
    const r = historyPageRequest(inputChannel(), 96, 100);
    r.getBytes();
    expect([r.offsetId, r.addOffset, r.limit]).toEqual([96, -100, 100]);
    expect(historyPageRequest(inputChannel(), 0, 500).limit).toBe(100);
  });

  it("messages by id use channels.GetMessages for channels", () => {
    const r = messagesByIdRequest(inputChannel(), [10, 11]);
    r.getBytes();
    expect(r).toBeInstanceOf(Api.channels.GetMessages);
  });

  it("GetFile parts are 512 KB, aligned, never across a 1 MB border", () => {
    const loc = fileLocation(doc([]));
    getFileRequest(loc, 524288).getBytes();
    expect(() => getFileRequest(loc, 1000)).toThrow(RangeError);
    expect(() => getFileRequest(loc, 786432)).toThrow(/1 MB/);
    expect((fileLocation(photo(), "y") as Api.InputPhotoFileLocation).thumbSize).toBe("y");
    expect((fileLocation(doc([])) as Api.InputDocumentFileLocation).thumbSize).toBe("");
    expect(FILE_PART_SIZE).toBe(524288);
  });

  it("a text keeps its link preview setting and its raw text", () => {
    const on = sendMessageRequest(target(), "see https://x.org **raw**", [], bigInt(1), { linkPreview: true });
    const off = sendMessageRequest(target(), "see https://x.org", [], bigInt(1), { linkPreview: false, replyToMsgId: 9, silent: true });
    on.getBytes();
    off.getBytes();
    expect(on.noWebpage).toBeUndefined();
    expect(on.message).toBe("see https://x.org **raw**");
    expect(off.noWebpage).toBe(true);
    expect((off.replyTo as Api.InputReplyToMessage).replyToMsgId).toBe(9);
  });

  it("an album is one SendMultiMedia, each item with its own caption, entities and random id (cases 2, 8)", () => {
    const items = [0, 1, 2].map((i) => ({
      media: new Api.InputMediaPhoto({ id: new Api.InputPhoto({ id: bigInt(i), accessHash: bigInt(1), fileReference: Buffer.alloc(0) }) }),
      caption: i === 0 ? "visit site now" : "",
      entities: i === 0 ? [new Api.MessageEntityTextUrl({ offset: 6, length: 4, url: "U" }), new Api.MessageEntityBold({ offset: 0, length: 5 })] : [],
      randomId: bigInt(100 + i),
    }));
    const r = sendAlbumRequest(target(), items);
    r.getBytes();
    expect(r.multiMedia.map((m) => (m as Api.InputSingleMedia).message)).toEqual(["visit site now", "", ""]);
    expect((r.multiMedia[0] as Api.InputSingleMedia).entities).toHaveLength(2);
    expect(r.multiMedia.map((m) => (m as Api.InputSingleMedia).randomId!.toString())).toEqual(["100", "101", "102"]);
    expect(() => sendAlbumRequest(target(), [])).toThrow(RangeError);
  });

  it("forward: ascending ids, one call, our random ids, at most 100 (case 1)", () => {
    const rids = [1, 2, 3].map((i) => bigInt(i));
    const r = forwardRequest(inputChannel(), target(), [100, 101, 102], rids, { dropAuthor: true });
    r.getBytes();
    expect(r.id).toEqual([100, 101, 102]);
    expect(r.randomId.map(String)).toEqual(["1", "2", "3"]);
    expect(() => forwardRequest(inputChannel(), target(), [101, 100], rids.slice(0, 2))).toThrow(/ascending/);
    expect(() => forwardRequest(inputChannel(), target(), Array.from({ length: 101 }, (_, i) => i + 1), Array.from({ length: 101 }, () => bigInt(1)))).toThrow(RangeError);
  });

  it("finds the sent ids by random id in the answer", () => {
    const u = new Api.Updates({
      updates: [new Api.UpdateMessageID({ id: 7, randomId: bigInt(-5) }), new Api.UpdateMessageID({ id: 8, randomId: bigInt(6) })],
      users: [], chats: [], date: 0, seq: 0,
    });
    expect([...sentIdsByRandomId(u)]).toEqual([["-5", 7], ["6", 8]]);
  });
});

describe("random ids", () => {
  const key = { sourceChat: "-1001", sourceId: 10, target: "-1002", index: 0 };
  it("are stable for the same key and differ when any part differs", () => {
    expect(randomIdFor(key).toString()).toBe(randomIdFor({ ...key }).toString());
    const variants = [{ sourceChat: "-1003" }, { sourceId: 11 }, { target: "-1004" }, { index: 1 }];
    const ids = new Set(variants.map((v) => randomIdFor({ ...key, ...v }).toString()));
    ids.add(randomIdFor(key).toString());
    expect(ids.size).toBe(5);
  });
  it("fit a signed 64-bit long and serialise", () => {
    for (let i = 0; i < 200; i++) {
      const r = BigInt(randomIdFor({ ...key, sourceId: i }).toString());
      expect(r >= -(2n ** 63n) && r < 2n ** 63n && r !== 0n).toBe(true);
    }
    sendMessageRequest(target(), "x", [], randomIdFor(key), { linkPreview: false }).getBytes();
  });
});

