import bigInt from "big-integer";
import { Api, errors, type TelegramClient } from "telegram";
import { CustomFile } from "telegram/client/uploads.js";
import { afterEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { expectRpc, peerOf, smallWorld } from "./world.js";

let emu: Emulator | undefined;
afterEach(() => emu?.close());

async function setup(account = "alice") {
  const w = smallWorld();
  emu = w.emu;
  const client = w.emu.client(account);
  await client.getDialogs({});
  return { ...w, client, src: w.src, dst: w.dst, peer: await peerOf(client, w.dst.id), srcPeer: await peerOf(client, w.src.id) };
}

/** Upload and UploadMedia a document of `kind`'s attributes; returns the InputMedia to send. */
async function uploaded(client: TelegramClient, peer: Api.TypeInputPeer, kind: "photo" | "video" | "document" | "audio" | "voice", n = 0): Promise<Api.TypeInputMedia> {
  const bytes = Buffer.alloc(2000 + n, n);
  const file = await client.uploadFile({ file: new CustomFile(`f${n}.bin`, bytes.length, "", bytes), workers: 1 });
  const media = kind === "photo"
    ? new Api.InputMediaUploadedPhoto({ file })
    : new Api.InputMediaUploadedDocument({
        file, mimeType: "application/octet-stream", forceFile: kind === "document",
        attributes: kind === "video" ? [new Api.DocumentAttributeVideo({ duration: 1, w: 10, h: 10 })]
          : kind === "audio" ? [new Api.DocumentAttributeAudio({ duration: 5, performer: "P", title: "T" })]
          : kind === "voice" ? [new Api.DocumentAttributeAudio({ duration: 5, voice: true })]
          : [new Api.DocumentAttributeFilename({ fileName: `f${n}.bin` })],
      });
  const mm = await client.invoke(new Api.messages.UploadMedia({ peer, media }));
  return mm instanceof Api.MessageMediaPhoto
    ? new Api.InputMediaPhoto({ id: new Api.InputPhoto({ id: mm.photo!.id, accessHash: (mm.photo as Api.Photo).accessHash, fileReference: (mm.photo as Api.Photo).fileReference }) })
    : new Api.InputMediaDocument({ id: new Api.InputDocument({ id: ((mm as Api.MessageMediaDocument).document as Api.Document).id, accessHash: ((mm as Api.MessageMediaDocument).document as Api.Document).accessHash, fileReference: ((mm as Api.MessageMediaDocument).document as Api.Document).fileReference }) });
}

const album = (peer: Api.TypeInputPeer, media: Api.TypeInputMedia[], caption = "") =>
  new Api.messages.SendMultiMedia({ peer, multiMedia: media.map((m, i) => new Api.InputSingleMedia({ media: m, message: i === 0 ? caption : "" })) });

describe("sending", () => {
  it("SendMultiMedia answers Updates with an UpdateMessageID per randomId; the album shares one groupedId", async () => {
    const { client, peer, dst } = await setup();
    const media = [await uploaded(client, peer, "photo", 1), await uploaded(client, peer, "video", 2), await uploaded(client, peer, "photo", 3)];
    const req = album(peer, media, "three");
    const res = (await client.invoke(req)) as Api.Updates;
    const pairs = res.updates.filter((u): u is Api.UpdateMessageID => u instanceof Api.UpdateMessageID);
    expect(pairs.map((p) => String(p.randomId))).toEqual(req.multiMedia.map((m) => m.randomId!.toString()));
    const sent = client._getResponseMessage(req.multiMedia.map((m) => m.randomId), res, peer) as unknown as Api.Message[];
    expect(sent.map((m) => m.id)).toEqual(pairs.map((p) => p.id));
    const posts = emu!.inspect(dst.id);
    expect(new Set(posts.map((p) => p.groupedId)).size).toBe(1);
    expect(posts.map((p) => p.media!.kind)).toEqual(["photo", "video", "photo"]);
    expect(posts[0]!.text).toBe("three");
  });

  it("sendFile albums, sendMessage and forwardMessages work through GramJS", async () => {
    const { client, peer, dst, src } = await setup();
    const a = emu!.addPost(src.id, { text: "one", media: { kind: "photo" }, groupedId: "77" });
    const b = emu!.addPost(src.id, { text: "", media: { kind: "video" }, groupedId: "77" });
    const c = emu!.addPost(src.id, { text: "alone" });
    const fwd = await client.forwardMessages(peer, { messages: [a, b, c], fromPeer: src.id });
    expect(fwd.flat().length).toBe(3);
    const img = Buffer.alloc(5000, 3);
    const files = [new CustomFile("x.jpg", img.length, "", img), new CustomFile("y.jpg", img.length, "", img)];
    const sent = (await client.sendFile(peer, { file: files, caption: ["x", "y"] })) as unknown as Api.Message[];
    expect(sent.length).toBe(2);
    const m = await client.sendMessage(peer, { message: "plain", linkPreview: false });
    expect(m.message).toBe("plain");
    const posts = emu!.inspect(dst.id);
    expect(posts.map((p) => p.text)).toEqual(["one", "", "alone", "x", "y", "plain"]);
    expect(posts[0]!.groupedId).toBeDefined();
    expect(posts[0]!.groupedId).toBe(posts[1]!.groupedId);
    expect(posts[0]!.groupedId).not.toBe("77");
    expect(posts[2]!.groupedId).toBeUndefined();
  });

  it("a text with a URL gets a link preview unless noWebpage", async () => {
    const { client, peer, dst } = await setup();
    await client.invoke(new Api.messages.SendMessage({ peer, message: "see https://example.com/a" }));
    await client.invoke(new Api.messages.SendMessage({ peer, message: "see https://example.com/b", noWebpage: true }));
    expect(emu!.inspect(dst.id).map((p) => p.linkPreview)).toEqual([true, false]);
  });

  it("sends by reference copy the media without moving bytes", async () => {
    const { client, peer, dst, src } = await setup();
    const id = emu!.addPost(src.id, { text: "orig", media: { kind: "document", size: 5_000_000 } });
    const [msg] = await client.getMessages("source_chan", { ids: [id] });
    const media = (msg as Api.Message).media as Api.MessageMediaDocument;
    const doc = media.document as Api.Document;
    await client.invoke(new Api.messages.SendMedia({ peer, message: "copy", media: new Api.InputMediaDocument({ id: new Api.InputDocument({ id: doc.id, accessHash: doc.accessHash, fileReference: doc.fileReference }) }) }));
    expect(emu!.requestCount("upload.GetFile")).toBe(0);
    const [copy] = emu!.inspect(dst.id);
    expect(copy!.media!.sha256).toBe(emu!.inspect(src.id).find((p) => p.id === id)!.media!.sha256);
  });
});

describe("Telegram's rules, with Telegram's error names", () => {
  it("an album has 2..10 items (MULTI_MEDIA_TOO_LONG)", async () => {
    const { client, peer } = await setup();
    const photo = await uploaded(client, peer, "photo");
    await expectRpc(client.invoke(album(peer, Array.from({ length: 11 }, () => photo))), "MULTI_MEDIA_TOO_LONG");
    await expectRpc(client.invoke(album(peer, [photo])), "MULTI_MEDIA_TOO_LONG");
    await client.invoke(album(peer, Array.from({ length: 10 }, () => photo)));
  });

  it("photos and videos mix; documents only with documents, audio only with audio (GROUPED_MEDIA_INVALID, MEDIA_INVALID)", async () => {
    const { client, peer } = await setup();
    const [photo, video, doc, audio, voice] = [
      await uploaded(client, peer, "photo", 1), await uploaded(client, peer, "video", 2), await uploaded(client, peer, "document", 3),
      await uploaded(client, peer, "audio", 4), await uploaded(client, peer, "voice", 5),
    ];
    await client.invoke(album(peer, [photo!, video!]));
    await client.invoke(album(peer, [doc!, doc!]));
    await client.invoke(album(peer, [audio!, audio!]));
    await expectRpc(client.invoke(album(peer, [photo!, doc!])), "GROUPED_MEDIA_INVALID");
    await expectRpc(client.invoke(album(peer, [audio!, video!])), "GROUPED_MEDIA_INVALID");
    await expectRpc(client.invoke(album(peer, [voice!, voice!])), "MEDIA_INVALID");
    // Items must be uploaded first (UploadMedia), as on Telegram.
    const bytes = Buffer.alloc(100, 1);
    const file = await client.uploadFile({ file: new CustomFile("r.jpg", 100, "", bytes), workers: 1 });
    await expectRpc(client.invoke(album(peer, [new Api.InputMediaUploadedPhoto({ file }), photo!])), "MEDIA_INVALID");
  });

  it("captions are at most 1024 characters, 4096 for Premium (MEDIA_CAPTION_TOO_LONG)", async () => {
    const { client, peer, dst } = await setup();
    const photo = await uploaded(client, peer, "photo");
    await client.invoke(new Api.messages.SendMedia({ peer, media: photo, message: "x".repeat(1024) }));
    await expectRpc(client.invoke(new Api.messages.SendMedia({ peer, media: photo, message: "x".repeat(1025) })), "MEDIA_CAPTION_TOO_LONG");
    await expectRpc(client.invoke(album(peer, [photo, photo], "y".repeat(1025))), "MEDIA_CAPTION_TOO_LONG");
    const carol = emu!.client("carol", {});
    await carol.getDialogs({});
    const cpeer = await peerOf(carol, dst.id);
    const cphoto = await uploaded(carol, cpeer, "photo");
    await carol.invoke(new Api.messages.SendMedia({ peer: cpeer, media: cphoto, message: "z".repeat(4096) }));
    await expectRpc(carol.invoke(new Api.messages.SendMedia({ peer: cpeer, media: cphoto, message: "z".repeat(4097) })), "MEDIA_CAPTION_TOO_LONG");
  });

  it("text is at most 4096 characters (MESSAGE_TOO_LONG) and not empty (MESSAGE_EMPTY)", async () => {
    const { client, peer } = await setup();
    await client.invoke(new Api.messages.SendMessage({ peer, message: "m".repeat(4096) }));
    await expectRpc(client.invoke(new Api.messages.SendMessage({ peer, message: "m".repeat(4097) })), "MESSAGE_TOO_LONG");
    await expectRpc(client.invoke(new Api.messages.SendMessage({ peer, message: "" })), "MESSAGE_EMPTY");
    await expectRpc(client.invoke(new Api.messages.SendMessage({ peer, message: "  \n " })), "MESSAGE_EMPTY");
  });

  it("protected chats and messages refuse forwarding and sending their media by reference (CHAT_FORWARDS_RESTRICTED)", async () => {
    const { client, peer, src } = await setup();
    const prot = emu!.createChat({ title: "Protected", username: "prot_chan", owner: "alice", noforwards: true });
    const pid = emu!.addPost(prot.id, { text: "p", media: { kind: "photo" } });
    const mid = emu!.addPost(src.id, { text: "m", media: { kind: "photo" }, noforwards: true });
    const free = emu!.addPost(src.id, { text: "free" });
    const e1 = await expectRpc(client.forwardMessages(peer, { messages: [pid], fromPeer: "prot_chan" }), "CHAT_FORWARDS_RESTRICTED");
    expect(e1.code).toBe(406);
    await expectRpc(client.forwardMessages(peer, { messages: [free, mid], fromPeer: src.id }), "CHAT_FORWARDS_RESTRICTED");
    for (const [chat, id] of [["prot_chan", pid], ["source_chan", mid]] as const) {
      const [msg] = await client.getMessages(chat, { ids: [id] });
      const photo = (msg as Api.Message).photo as Api.Photo;
      const media = new Api.InputMediaPhoto({ id: new Api.InputPhoto({ id: photo.id, accessHash: photo.accessHash, fileReference: photo.fileReference }) });
      await expectRpc(client.invoke(new Api.messages.SendMedia({ peer, media, message: "" })), "CHAT_FORWARDS_RESTRICTED");
      // Downloading protected content still works for a user account (re-upload is the way out).
      expect(((await client.downloadMedia(msg as Api.Message, {})) as Buffer).length).toBeGreaterThan(0);
    }
    expect(emu!.inspect(prot.id)[0]!.noforwards).toBe(true);
  });

  it("a reused randomId from the same account is refused (RANDOM_ID_DUPLICATE); the earlier message stays", async () => {
    const { client, peer, dst } = await setup();
    const randomId = bigInt("987654321987654321");
    await client.invoke(new Api.messages.SendMessage({ peer, message: "first", randomId }));
    const err = await expectRpc(client.invoke(new Api.messages.SendMessage({ peer, message: "again", randomId })), "RANDOM_ID_DUPLICATE");
    expect(err.code).toBe(500);
    expect(emu!.inspect(dst.id).map((p) => p.text)).toEqual(["first"]);
    expect(emu!.sentByRandomId("alice", randomId)).toEqual({ chatId: dst.id, id: 2 });
    // An album where one randomId is reused posts nothing.
    const photo = await uploaded(client, peer, "photo");
    const req = album(peer, [photo, photo]);
    req.multiMedia[1]!.randomId = randomId;
    await expectRpc(client.invoke(req), "RANDOM_ID_DUPLICATE");
    expect(emu!.inspect(dst.id).length).toBe(1);
    // Another account may use the same randomId.
    const carol = emu!.client("carol");
    await carol.getDialogs({});
    await carol.invoke(new Api.messages.SendMessage({ peer: await peerOf(carol, dst.id), message: "carol", randomId }));
  });

  it("posting needs the right (CHAT_WRITE_FORBIDDEN, CHAT_ADMIN_REQUIRED)", async () => {
    const { emu: e, dst } = await setup();
    e.addAccount({ name: "dave" });
    const bob = e.client("bob");
    await bob.getDialogs({});
    await expectRpc(bob.invoke(new Api.messages.SendMessage({ peer: await peerOf(bob, dst.id), message: "hi" })), "CHAT_ADMIN_REQUIRED");
    const dave = e.client("dave");
    const publicChan = await peerOf(dave, "source_chan");
    await expectRpc(dave.invoke(new Api.messages.SendMessage({ peer: publicChan, message: "hi" })), "CHAT_WRITE_FORBIDDEN");
    const group = e.createChat({ title: "Group", username: "a_group", owner: "alice", megagroup: true, members: ["bob"] });
    await bob.invoke(new Api.messages.SendMessage({ peer: await peerOf(bob, "a_group"), message: "members post in groups" }));
    expect(e.inspect(group.id).length).toBe(1);
  });

  it("unknown usernames fail (USERNAME_NOT_OCCUPIED) and private channels refuse non-members (CHANNEL_PRIVATE)", async () => {
    const { client, emu: e } = await setup();
    await expectRpc(client.invoke(new Api.contacts.ResolveUsername({ username: "no_such_chan" })), "USERNAME_NOT_OCCUPIED");
    e.addAccount({ name: "dave" });
    const secret = e.createChat({ title: "S", owner: "alice", members: ["dave"] });
    const dave = e.client("dave");
    await dave.getDialogs({});
    const peer = await peerOf(dave, secret.id);
    e.leave("dave", secret.id);
    await expectRpc(dave.invoke(new Api.messages.SendMessage({ peer, message: "x" })), "CHANNEL_PRIVATE");
    await expectRpc(dave.getMessages(peer, { limit: 1 }), "CHANNEL_PRIVATE");
  });

  it("media references used by another account fail (MEDIA_INVALID) and expire (FILE_REFERENCE_0_EXPIRED in albums)", async () => {
    let now = 1_900_000_000_000;
    const { Emulator } = await import("../../src/emulator/index.js");
    emu = Emulator.open({ seed: 5, now: () => now });
    emu.addAccount({ name: "alice" });
    emu.addAccount({ name: "bob" });
    const src = emu.createChat({ title: "S", username: "src_chan", owner: "alice", members: ["bob"] });
    const dst = emu.createChat({ title: "D", username: "dst_chan", owner: "alice", admins: ["bob"] });
    const id = emu.addPost(src.id, { media: { kind: "photo" } });
    const alice = emu.client("alice");
    const bob = emu.client("bob");
    const [msg] = await alice.getMessages("src_chan", { ids: [id] });
    const photo = (msg as Api.Message).photo as Api.Photo;
    const media = new Api.InputMediaPhoto({ id: new Api.InputPhoto({ id: photo.id, accessHash: photo.accessHash, fileReference: photo.fileReference }) });
    await expectRpc(bob.invoke(new Api.messages.SendMedia({ peer: await peerOf(bob, "dst_chan"), media, message: "" })), "MEDIA_INVALID");
    emu.faults.fileReferenceTtlMs(1000);
    now += 5000;
    const peer = await peerOf(alice, "dst_chan");
    await expectRpc(alice.invoke(new Api.messages.SendMedia({ peer, media, message: "" })), "FILE_REFERENCE_EXPIRED");
    await expectRpc(alice.invoke(album(peer, [media, media])), "FILE_REFERENCE_0_EXPIRED");
    void dst;
  });
});

describe("faults", () => {
  it("FLOOD_WAIT_X per account and method, every Nth call, a number of times", async () => {
    const { client, emu: e } = await setup();
    e.faults.floodWait({ account: "alice", method: "GetHistory", seconds: 30, every: 2, times: 1 });
    await client.getMessages("source_chan", { limit: 1 });
    const err = await expectRpc(client.getMessages("source_chan", { limit: 1 }), "FLOOD_WAIT_30");
    expect(err).toBeInstanceOf(errors.FloodWaitError);
    await client.getMessages("source_chan", { limit: 1 });
    await client.getMessages("source_chan", { limit: 1 });
    const bob = e.client("bob");
    e.faults.floodWait({ method: "messages.GetHistory", seconds: 7, premium: true });
    await expectRpc(bob.getMessages("source_chan", { limit: 1 }), "FLOOD_PREMIUM_WAIT_7");
  });

  it("GramJS sleeps through flood waits under its floodSleepThreshold (its own behaviour runs)", async () => {
    const { emu: e } = await setup();
    const client = e.client("bob", { floodSleepThreshold: 5 });
    e.faults.floodWait({ account: "bob", method: "GetHistory", seconds: 0, times: 2 });
    const got = await client.getMessages("source_chan", { limit: 1 });
    expect(got.length).toBe(1);
    expect(e.requestCount("GetHistory", "bob")).toBe(3);
  });

  it("flood waits by rate and by seeded chance are deterministic", async () => {
    const { emu: e, client } = await setup();
    e.faults.floodWait({ account: "alice", method: "GetHistory", seconds: 3, rate: { calls: 2, perSeconds: 3600 } });
    await client.getMessages("source_chan", { limit: 1 });
    await client.getMessages("source_chan", { limit: 1 });
    await expectRpc(client.getMessages("source_chan", { limit: 1 }), "FLOOD_WAIT_3");
    const outcomes = async () => {
      const w = smallWorld();
      w.emu.faults.floodWait({ method: "GetHistory", seconds: 1, probability: 0.5 });
      const c = w.emu.client("bob");
      const out: boolean[] = [];
      for (let i = 0; i < 20; i++) out.push(await c.getMessages("source_chan", { limit: 1 }).then(() => true, () => false));
      w.emu.close();
      return out;
    };
    const a = await outcomes();
    expect(await outcomes()).toEqual(a);
    expect(a.some((x) => x) && a.some((x) => !x)).toBe(true);
  });

  it("slow mode answers SLOWMODE_WAIT_X to non-admin members of a supergroup", async () => {
    let now = 1_700_000_000_000;
    const { Emulator } = await import("../../src/emulator/index.js");
    emu = Emulator.open({ now: () => now });
    emu.addAccount({ name: "alice" });
    emu.addAccount({ name: "bob" });
    emu.createChat({ title: "G", username: "slow_group", owner: "alice", megagroup: true, members: ["bob"] });
    emu.faults.slowMode("@slow_group", 60);
    const bob = emu.client("bob");
    const peer = await peerOf(bob, "slow_group");
    await bob.invoke(new Api.messages.SendMessage({ peer, message: "1" }));
    now += 20_000;
    const err = await expectRpc(bob.invoke(new Api.messages.SendMessage({ peer, message: "2" })), "SLOWMODE_WAIT_40");
    expect(err).toBeInstanceOf(errors.SlowModeWaitError);
    now += 40_000;
    await bob.invoke(new Api.messages.SendMessage({ peer, message: "3" }));
    // Several messages at once (not one album) are refused under slow mode.
    emu.createChat({ title: "F", username: "fwd_from_here", owner: "bob" });
    const a = emu.addPost("@fwd_from_here", { text: "a" });
    const b = emu.addPost("@fwd_from_here", { text: "b" });
    now += 60_000;
    await expectRpc(bob.invoke(new Api.messages.ForwardMessages({ fromPeer: await peerOf(bob, "fwd_from_here"), toPeer: peer, id: [a, b], randomId: [bigInt(1), bigInt(2)] })), "SLOWMODE_MULTI_MSGS_DISABLED");
    const alice = emu.client("alice");
    const apeer = await peerOf(alice, "slow_group");
    await alice.invoke(new Api.messages.SendMessage({ peer: apeer, message: "owner" }));
    await alice.invoke(new Api.messages.SendMessage({ peer: apeer, message: "owner again" }));
  });
});

