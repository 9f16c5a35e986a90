import bigInt from "big-integer";
import { Api } from "telegram";
import { afterEach, describe, expect, it } from "vitest";
import { Emulator } from "../../src/emulator/index.js";
import { expectRpc, peerOf, smallWorld } from "./world.js";

let emu: Emulator | undefined;
afterEach(() => emu?.close());

/** Ids of a GetHistory answer. */
const ids = (r: Api.messages.TypeMessages) => (r as Api.messages.ChannelMessages).messages.map((m) => m.id);

describe("reading history through GramJS", () => {
  it("iterMessages yields every post oldest first in reverse mode, and the service message", async () => {
    const w = smallWorld();
    emu = w.emu;
    for (let i = 0; i < 250; i++) emu.addPost(w.src.id, { text: `post ${i}` });
    const client = emu.client("bob");
    const seen: number[] = [];
    for await (const m of client.iterMessages("source_chan", { reverse: true })) seen.push(m.id);
    expect(seen).toEqual(Array.from({ length: 251 }, (_, i) => i + 1));
    const first = await client.getMessages("source_chan", { ids: [1, 2] });
    expect(first[0]).toBeInstanceOf(Api.MessageService);
    expect((first[1] as Api.Message).message).toBe("post 0");
    // 251 messages in pages of at most 100.
    expect(emu.requestCount("messages.GetHistory", "bob")).toBe(3);
  });

  it("GetHistory slices like Telegram: offsetId, addOffset, limit, minId, maxId", async () => {
    const w = smallWorld();
    emu = w.emu;
    for (let i = 0; i < 249; i++) emu.addPost(w.src.id, { text: `p${i}` }); // ids 1..250
    const client = emu.client("bob");
    const peer = await peerOf(client, "source_chan");
    const q = (o: Partial<{ offsetId: number; addOffset: number; limit: number; minId: number; maxId: number; offsetDate: number }>) =>
      client.invoke(new Api.messages.GetHistory({ peer, offsetId: 0, offsetDate: 0, addOffset: 0, limit: 10, maxId: 0, minId: 0, hash: bigInt(0), ...o })).then(ids);
    expect(await q({ limit: 3 })).toEqual([250, 249, 248]);
    expect(await q({ offsetId: 100, limit: 3 })).toEqual([99, 98, 97]);
    expect(await q({ offsetId: 100, addOffset: 2, limit: 3 })).toEqual([97, 96, 95]);
    // GramJS's reverse mode: offsetId = minId + 1, addOffset = -limit.
    const page = await q({ offsetId: 96, addOffset: -100, limit: 100 });
    expect(page).toEqual(Array.from({ length: 100 }, (_, i) => 195 - i));
    expect(await q({ offsetId: 100, addOffset: -2, limit: 5 })).toEqual([101, 100, 99, 98, 97]);
    // The window starts above the newest message: it is clamped at the top, its end is not moved.
    expect(await q({ offsetId: 249, addOffset: -5, limit: 10 })).toEqual([250, 249, 248, 247, 246, 245, 244]);
    expect(await q({ offsetId: 249, addOffset: -5, limit: 3 })).toEqual([]);
    expect(await q({ offsetId: 100, addOffset: -10, limit: 3 })).toEqual([109, 108, 107]);
    expect(await q({ limit: 10, minId: 245 })).toEqual([250, 249, 248, 247, 246]);
    expect(await q({ offsetId: 0, limit: 5, maxId: 3 })).toEqual([]);
    expect(await q({ offsetId: 4, limit: 5, maxId: 3 })).toEqual([2, 1]);
    // At most 100 per call.
    expect((await q({ limit: 500 })).length).toBe(100);
    const all = (await client.invoke(new Api.messages.GetHistory({ peer, offsetId: 0, offsetDate: 0, addOffset: 0, limit: 1, maxId: 0, minId: 0, hash: bigInt(0) }))) as Api.messages.ChannelMessages;
    expect(all.count).toBe(250);
    expect(all.chats[0]).toBeInstanceOf(Api.Channel);
  });

  it("iterMessages with minId, maxId and limit gives the exclusive range", async () => {
    const w = smallWorld();
    emu = w.emu;
    for (let i = 0; i < 299; i++) emu.addPost(w.src.id, { text: `p${i}` });
    const client = emu.client("alice");
    const got: number[] = [];
    for await (const m of client.iterMessages("source_chan", { reverse: true, minId: 95, limit: 150 })) got.push(m.id);
    expect(got).toEqual(Array.from({ length: 150 }, (_, i) => 96 + i));
    const down: number[] = [];
    for await (const m of client.iterMessages("source_chan", { maxId: 20, minId: 10 })) down.push(m.id);
    expect(down).toEqual([19, 18, 17, 16, 15, 14, 13, 12, 11]);
  });

  it("channels.GetMessages answers MessageEmpty for missing ids (GramJS gives undefined)", async () => {
    const w = smallWorld();
    emu = w.emu;
    emu.addPost(w.src.id, { text: "two" });
    const client = emu.client("alice");
    emu.addPost(w.src.id, { text: "three" });
    emu.deletePosts(w.src.id, [3]);
    const got = await client.getMessages("source_chan", { ids: [2, 3, 999] });
    expect((got[0] as Api.Message).message).toBe("two");
    expect(got[1]).toBeUndefined();
    expect(got[2]).toBeUndefined();
    expect(Array.from(await client.getMessages("source_chan", { limit: 10 }), (m) => m.id)).toEqual([2, 1]);
  });

  it("resolves usernames, users and full chats; unknown usernames fail", async () => {
    const w = smallWorld();
    emu = w.emu;
    const client = emu.client("carol");
    const me = (await client.getMe()) as Api.User;
    expect(me.self).toBe(true);
    expect(me.premium).toBe(true);
    const full = await client.invoke(new Api.users.GetFullUser({ id: new Api.InputUserSelf() }));
    expect(full.fullUser.id.toString()).toBe(me.id.toString());
    const chan = (await client.getEntity("source_chan")) as Api.Channel;
    expect(chan.title).toBe("Source");
    expect(chan.broadcast).toBe(true);
    const fc = await client.invoke(new Api.channels.GetFullChannel({ channel: chan }));
    expect((fc.fullChat as Api.ChannelFull).participantsCount).toBe(2);
    await expectRpc(client.invoke(new Api.contacts.ResolveUsername({ username: "nobody_here" })), "USERNAME_NOT_OCCUPIED");
  });

  it("a private channel is readable by members only (CHANNEL_PRIVATE)", async () => {
    const w = smallWorld();
    emu = w.emu;
    emu.addAccount({ name: "dave" });
    const secret = emu.createChat({ title: "Secret", owner: "alice" });
    emu.addPost(secret.id, { text: "hidden" });
    const alice = emu.client("alice");
    await alice.getDialogs({});
    expect((await alice.getMessages(secret.id, { limit: 5 })).length).toBe(2);
    // dave holds an input peer (as if he had seen the chat once) but is not a member.
    const dave = emu.client("dave");
    const daveDialogs = await dave.getDialogs({});
    expect(daveDialogs.length).toBe(0);
    emu.join("dave", secret.id);
    await dave.getDialogs({});
    const peer = await peerOf(dave, secret.id);
    expect((await dave.getMessages(peer, { limit: 5 })).length).toBe(2);
  });

  it("refuses another account's access hash (CHANNEL_INVALID) and private chats to non-members (CHANNEL_PRIVATE)", async () => {
    const w = smallWorld();
    emu = w.emu;
    emu.addAccount({ name: "dave" });
    const secret = emu.createChat({ title: "Secret", owner: "alice" });
    const alice = emu.client("alice");
    await alice.getDialogs({});
    const alicePeer = await peerOf(alice, secret.id);
    const dave = emu.client("dave");
    await expectRpc(dave.invoke(new Api.messages.GetHistory({ peer: alicePeer, offsetId: 0, offsetDate: 0, addOffset: 0, limit: 1, maxId: 0, minId: 0, hash: bigInt(0) })), "CHANNEL_INVALID");
    // With dave's own access hash (obtained while he was a member) but no longer a member:
    emu.join("dave", secret.id);
    await dave.getDialogs({});
    const davePeer = await peerOf(dave, secret.id);
    emu.leave("dave", secret.id);
    await expectRpc(dave.getMessages(davePeer, { limit: 1 }), "CHANNEL_PRIVATE");
  });

  it("serialises every request: a malformed TL request fails before reaching the emulator", async () => {
    const w = smallWorld();
    emu = w.emu;
    const client = emu.client("alice");
    const peer = await peerOf(client, "source_chan");
    const bad = new Api.messages.SendMultiMedia({ peer, multiMedia: [new Api.InputSingleMedia({ message: "x" } as never)] });
    await expect(client.invoke(bad)).rejects.toThrow(/media/);
    // A flagged field left out passes getBytes() but does not parse back, as a server would see it.
    await expect(client.invoke(new Api.account.InitTakeoutSession({ files: true }))).rejects.toThrow(/malformed on the wire/);
    expect(emu.requestCount("messages.SendMultiMedia")).toBe(0);
  });

  it("answers takeout-wrapped requests and channels.GetParticipant", async () => {
    const w = smallWorld();
    emu = w.emu;
    emu.addPost(w.src.id, { text: "x" });
    const client = emu.client("bob");
    const peer = await peerOf(client, "source_chan");
    const t = await client.invoke(new Api.account.InitTakeoutSession({ messageChannels: true, files: true, fileMaxSize: bigInt(1 << 30) }));
    const inner = new Api.messages.GetHistory({ peer, offsetId: 0, offsetDate: 0, addOffset: 0, limit: 10, maxId: 0, minId: 0, hash: bigInt(0) });
    const r = (await client.invoke(new Api.InvokeWithTakeout({ takeoutId: t.id, query: inner }))) as Api.messages.ChannelMessages;
    expect(r.messages.map((m) => m.id)).toEqual([2, 1]);
    const p = await client.invoke(new Api.channels.GetParticipant({ channel: peer, participant: new Api.InputPeerSelf() }));
    expect(p.participant).toBeInstanceOf(Api.ChannelParticipant);
    const alice = emu.client("alice");
    const ap = await alice.invoke(new Api.channels.GetParticipant({ channel: await peerOf(alice, "source_chan"), participant: new Api.InputPeerSelf() }));
    expect(ap.participant).toBeInstanceOf(Api.ChannelParticipantCreator);
  });

  it("connect() resolves at once without a socket; checkAuthorization works; a destroyed client refuses requests", async () => {
    const w = smallWorld();
    emu = w.emu;
    const client = emu.client("alice");
    expect(await client.connect()).toBe(true);
    expect(await client.checkAuthorization()).toBe(true);
    await client.destroy();
    await expect(client.getMessages("source_chan", { limit: 1 })).rejects.toThrow(/disconnected/);
  });
});
