import { describe, expect, it } from "vitest";
import { Api } from "telegram";
import bigInt from "big-integer";
import {
  documentKind,
  entitiesToApi,
  entityFromApi,
  mediaFromApi,
  pollInputMedia,
  postFromMessage,
  referenceInputMedia,
  uploadedInputMedia,
} from "../../src/telegram/convert.js";
import { sendMediaRequest } from "../../src/telegram/requests.js";
import type { Entity } from "../../src/model/entity.js";
import { doc, inputChannel, message, photo } from "./tl.js";

const file = new Api.InputFile({ id: bigInt(1), parts: 1, name: "x", md5Checksum: "" });
const thumb = new Api.InputFile({ id: bigInt(2), parts: 1, name: "thumb.jpg", md5Checksum: "" });

/** Upload a model media and check the request serialises; returns the InputMedia. */
function reupload(m: ReturnType<typeof mediaFromApi>) {
  const media = uploadedInputMedia(m!, file, thumb);
  sendMediaRequest(inputChannel(), media, "", [], bigInt(5)).getBytes();
  return media;
}

describe("Api.Message -> Post", () => {
  it("keeps a photo's largest size, spoiler, caption and entities", () => {
    const msg = message(10, {
      message: "visit site now",
      entities: [new Api.MessageEntityTextUrl({ offset: 6, length: 4, url: "https://u" }), new Api.MessageEntityBold({ offset: 0, length: 5 })],
      media: new Api.MessageMediaPhoto({ photo: photo(500, 123_456), spoiler: true }),
      groupedId: 77,
      replyTo: 3,
      postAuthor: "ann",
    });
    const p = postFromMessage(msg, "-1001001", false);
    expect(p.media).toEqual({ kind: "photo", size: 123_456, width: 1280, height: 960, spoiler: true, fileId: "500" });
    expect(p.entities).toEqual([
      { type: "textUrl", offset: 6, length: 4, url: "https://u" },
      { type: "bold", offset: 0, length: 5 },
    ]);
    expect(p).toMatchObject({ id: 10, groupedId: "77", replyTo: 3, noforwards: false, linkPreview: false, postAuthor: "ann", text: "visit site now" });
    expect(p.ref).toBe(msg);
  });

  it("takes noforwards from the chat or the message", () => {
    expect(postFromMessage(message(1), "c", true).noforwards).toBe(true);
    expect(postFromMessage(message(1, { noforwards: true }), "c", false).noforwards).toBe(true);
    expect(postFromMessage(message(1), "c", false).noforwards).toBe(false);
  });

  it("marks link previews and caption-above-media", () => {
    const wp = new Api.MessageMediaWebPage({ webpage: new Api.WebPageEmpty({ id: bigInt(1) }) });
    const p = postFromMessage(message(2, { message: "https://x.org", media: wp, invertMedia: true }), "c", false);
    expect(p.linkPreview).toBe(true);
    expect(p.media).toBeUndefined();
    expect(p.invertMedia).toBe(true);
  });

  it("decides the kind from media class and attributes, never from the file name (cases 13, 15)", () => {
    const asFile = doc([new Api.DocumentAttributeFilename({ fileName: "scan1.jpg" }), new Api.DocumentAttributeImageSize({ w: 100, h: 50 })], { mime: "image/jpeg" });
    expect(documentKind(asFile)).toBe("document");
    const mkv = doc([new Api.DocumentAttributeFilename({ fileName: "clip.mkv" })], { mime: "video/x-matroska" });
    expect(documentKind(mkv)).toBe("document");
    const pdf = doc([new Api.DocumentAttributeFilename({ fileName: "report.pdf" })], { mime: "application/pdf" });
    expect(documentKind(pdf)).toBe("document");
    const video = doc([new Api.DocumentAttributeVideo({ duration: 95.5, w: 1280, h: 720, supportsStreaming: true }), new Api.DocumentAttributeFilename({ fileName: "clip.mp4" })]);
    expect(documentKind(video, new Api.MessageMediaDocument({ document: video, video: true }))).toBe("video");
    // A video sent as a file: the attribute stays, the media's video flag is off.
    expect(documentKind(video, new Api.MessageMediaDocument({ document: video }))).toBe("document");
    const round = doc([new Api.DocumentAttributeVideo({ duration: 5, w: 240, h: 240, roundMessage: true })]);
    expect(documentKind(round)).toBe("videoNote");
    const gif = doc([new Api.DocumentAttributeVideo({ duration: 2, w: 1, h: 1 }), new Api.DocumentAttributeAnimated()]);
    expect(documentKind(gif)).toBe("animation");
    const voice = doc([new Api.DocumentAttributeAudio({ voice: true, duration: 3 })]);
    expect(documentKind(voice)).toBe("voice");
    const audio = doc([new Api.DocumentAttributeAudio({ duration: 200, performer: "P", title: "T" })]);
    expect(documentKind(audio)).toBe("audio");
    const sticker = doc([new Api.DocumentAttributeSticker({ alt: "😀", stickerset: new Api.InputStickerSetEmpty() })]);
    expect(documentKind(sticker)).toBe("sticker");
  });

  it("keeps every video attribute and the thumbnail (case 17)", () => {
    const d = doc(
      [new Api.DocumentAttributeVideo({ duration: 95.5, w: 1280, h: 720, supportsStreaming: true }), new Api.DocumentAttributeFilename({ fileName: "clip.mp4" })],
      { size: 25_000_000, mime: "video/mp4", thumb: true },
    );
    const m = mediaFromApi(new Api.MessageMediaDocument({ document: d, video: true }));
    expect(m).toEqual({
      kind: "video", fileName: "clip.mp4", mimeType: "video/mp4", size: 25_000_000, width: 1280, height: 720, duration: 95.5,
      supportsStreaming: true, thumbnail: { type: "m", width: 320, height: 180, size: 7000 }, fileId: "600",
    });
  });

  it("reads a poll with answers, flags, correct answers and solution", () => {
    const poll = new Api.Poll({
      id: bigInt(1),
      question: new Api.TextWithEntities({ text: "Q?", entities: [] }),
      answers: [
        new Api.PollAnswer({ text: new Api.TextWithEntities({ text: "a", entities: [] }), option: Buffer.from([0]) }),
        new Api.PollAnswer({ text: new Api.TextWithEntities({ text: "b", entities: [] }), option: Buffer.from([1]) }),
      ],
      quiz: true,
      publicVoters: true,
      closePeriod: 60,
    });
    const results = new Api.PollResults({ results: [new Api.PollAnswerVoters({ option: Buffer.from([1]), voters: 3, correct: true })], solution: "because" });
    const m = mediaFromApi(new Api.MessageMediaPoll({ poll, results }));
    expect(m).toEqual({
      kind: "poll", size: 0,
      poll: { question: "Q?", answers: [{ text: "a", option: "00" }, { text: "b", option: "01" }], quiz: true, publicVoters: true, correctAnswers: ["01"], solution: "because", closePeriod: 60 },
    });
    const input = pollInputMedia(m!.poll!);
    expect(input.correctAnswers!.map((b) => b.toString("hex"))).toEqual(["01"]);
    expect(input.poll.quiz).toBe(true);
    sendMediaRequest(inputChannel(), input, "", [], bigInt(1)).getBytes();
  });
});

describe("model -> InputMedia keeps the kind (issue item 3)", () => {
  it("a photo stays a photo, with its spoiler (case 14)", () => {
    const m = reupload(mediaFromApi(new Api.MessageMediaPhoto({ photo: photo(), spoiler: true })));
    expect(m).toBeInstanceOf(Api.InputMediaUploadedPhoto);
    expect((m as Api.InputMediaUploadedPhoto).spoiler).toBe(true);
  });

  it("a video sent as a file stays a file and keeps its video attribute (case 13)", () => {
    const d = doc([new Api.DocumentAttributeVideo({ duration: 12, w: 640, h: 360 }), new Api.DocumentAttributeFilename({ fileName: "clip.mkv" })], { mime: "video/x-matroska" });
    const m = reupload(mediaFromApi(new Api.MessageMediaDocument({ document: d }))) as Api.InputMediaUploadedDocument;
    expect(m.forceFile).toBe(true);
    expect(m.attributes.find((a) => a instanceof Api.DocumentAttributeVideo)).toMatchObject({ duration: 12, w: 640, h: 360 });
    expect(m.attributes.find((a) => a instanceof Api.DocumentAttributeFilename)).toMatchObject({ fileName: "clip.mkv" });
  });

  it("an image sent as a file stays a document with its name (cases 6, 15)", () => {
    const d = doc([new Api.DocumentAttributeFilename({ fileName: "a.jpg" }), new Api.DocumentAttributeImageSize({ w: 10, h: 20 })], { mime: "image/jpeg" });
    const m = reupload(mediaFromApi(new Api.MessageMediaDocument({ document: d }))) as Api.InputMediaUploadedDocument;
    expect(m).toBeInstanceOf(Api.InputMediaUploadedDocument);
    expect(m.forceFile).toBe(true);
    expect(m.mimeType).toBe("image/jpeg");
    expect(m.attributes.find((a) => a instanceof Api.DocumentAttributeFilename)).toMatchObject({ fileName: "a.jpg" });
    expect(m.attributes.some((a) => a instanceof Api.DocumentAttributeVideo)).toBe(false);
  });

  it("a video keeps duration, size, streaming and its own thumbnail (case 17)", () => {
    const d = doc([new Api.DocumentAttributeVideo({ duration: 95.5, w: 1280, h: 720, supportsStreaming: true }), new Api.DocumentAttributeFilename({ fileName: "v.mp4" })], { mime: "video/mp4", thumb: true });
    const m = reupload(mediaFromApi(new Api.MessageMediaDocument({ document: d, video: true }))) as Api.InputMediaUploadedDocument;
    const v = m.attributes.find((a): a is Api.DocumentAttributeVideo => a instanceof Api.DocumentAttributeVideo)!;
    expect([v.duration, v.w, v.h, v.supportsStreaming, v.roundMessage]).toEqual([95.5, 1280, 720, true, undefined]);
    expect(m.thumb).toBe(thumb);
    expect(m.forceFile).toBeUndefined();
  });

  it("a round video stays round, a voice keeps its waveform, audio keeps performer and title", () => {
    const round = reupload(mediaFromApi(new Api.MessageMediaDocument({ document: doc([new Api.DocumentAttributeVideo({ duration: 5, w: 240, h: 240, roundMessage: true })]) }))) as Api.InputMediaUploadedDocument;
    expect((round.attributes[0] as Api.DocumentAttributeVideo).roundMessage).toBe(true);
    const wave = Buffer.from([1, 2, 3, 31]);
    const voice = reupload(mediaFromApi(new Api.MessageMediaDocument({ document: doc([new Api.DocumentAttributeAudio({ voice: true, duration: 3, waveform: wave })], { mime: "audio/ogg" }) }))) as Api.InputMediaUploadedDocument;
    const va = voice.attributes[0] as Api.DocumentAttributeAudio;
    expect([va.voice, va.duration, Buffer.from(va.waveform!).equals(wave)]).toEqual([true, 3, true]);
    const audio = reupload(mediaFromApi(new Api.MessageMediaDocument({ document: doc([new Api.DocumentAttributeAudio({ duration: 200, performer: "P", title: "T" }), new Api.DocumentAttributeFilename({ fileName: "s.mp3" })], { mime: "audio/mpeg" }) }))) as Api.InputMediaUploadedDocument;
    expect(audio.attributes[0]).toMatchObject({ performer: "P", title: "T", duration: 200 });
    expect(audio.forceFile).toBeUndefined();
  });

  it("animation and sticker keep their attributes", () => {
    const gif = reupload(mediaFromApi(new Api.MessageMediaDocument({ document: doc([new Api.DocumentAttributeVideo({ duration: 2, w: 100, h: 100 }), new Api.DocumentAttributeAnimated()], { mime: "video/mp4" }) }))) as Api.InputMediaUploadedDocument;
    expect(gif.attributes.some((a) => a instanceof Api.DocumentAttributeAnimated)).toBe(true);
    const st = reupload(mediaFromApi(new Api.MessageMediaDocument({ document: doc([new Api.DocumentAttributeSticker({ alt: "😀", stickerset: new Api.InputStickerSetEmpty() }), new Api.DocumentAttributeImageSize({ w: 512, h: 512 })], { mime: "image/webp" }) }))) as Api.InputMediaUploadedDocument;
    expect(st.attributes[0]).toMatchObject({ alt: "😀" });
  });

  it("copy by reference keeps id, access hash, file reference and spoiler", () => {
    const m = referenceInputMedia(new Api.MessageMediaPhoto({ photo: photo(42), spoiler: true })) as Api.InputMediaPhoto;
    expect((m.id as Api.InputPhoto).id.toString()).toBe("42");
    expect(m.spoiler).toBe(true);
    const d = referenceInputMedia(new Api.MessageMediaDocument({ document: doc([], { id: 43 }) })) as Api.InputMediaDocument;
    expect((d.id as Api.InputDocument).fileReference).toEqual(Buffer.from([4, 5]));
  });
});

describe("entities", () => {
  it("round-trip every type raw, no parse mode (case 8: **x** stays literal)", () => {
    const all: Entity[] = [
      { type: "bold", offset: 0, length: 1 }, { type: "italic", offset: 1, length: 1 }, { type: "underline", offset: 2, length: 1 },
      { type: "strike", offset: 3, length: 1 }, { type: "code", offset: 4, length: 1 }, { type: "pre", offset: 5, length: 1, language: "ts" },
      { type: "textUrl", offset: 6, length: 1, url: "https://e" }, { type: "spoiler", offset: 7, length: 1 },
      { type: "blockquote", offset: 8, length: 1, collapsed: true }, { type: "customEmoji", offset: 9, length: 2, documentId: "123456789012345" },
      { type: "mention", offset: 11, length: 1 }, { type: "hashtag", offset: 12, length: 1 }, { type: "url", offset: 13, length: 1 },
    ];
    const { entities } = entitiesToApi(all);
    expect(entities.map(entityFromApi)).toEqual(all);
    const req = sendMediaRequest(inputChannel(), new Api.InputMediaEmpty(), "**x** __y__", entities, bigInt(1));
    req.getBytes();
    expect(req.message).toBe("**x** __y__");
  });

  it("mention names become InputMessageEntityMentionName, or are dropped and reported", () => {
    const e: Entity[] = [{ type: "mentionName", offset: 0, length: 3, userId: "55" }, { type: "mentionName", offset: 4, length: 3, userId: "66" }];
    const r = entitiesToApi(e, (id) => (id === "55" ? new Api.InputUser({ userId: bigInt(55), accessHash: bigInt(1) }) : undefined));
    expect(r.entities).toHaveLength(1);
    expect(r.entities[0]).toBeInstanceOf(Api.InputMessageEntityMentionName);
    expect(r.dropped).toEqual([e[1]]);
  });
});
