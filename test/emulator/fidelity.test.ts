// Round trips a copier does: read a post, send it again, and inspect() must see the same post.
import bigInt from "big-integer";
import { Api } from "telegram";
import { CustomFile } from "telegram/client/uploads.js";
import { afterEach, describe, expect, it } from "vitest";
import { compareChats, Emulator, type InspectedPost } from "../../src/emulator/index.js";
import { expectRpc, peerOf } from "./world.js";

let emu: Emulator | undefined;
afterEach(() => emu?.close());

async function world() {
  emu = Emulator.open({ seed: 21 });
  emu.addAccount({ name: "alice", premium: true });
  emu.addAccount({ name: "bob" });
  const src = emu.createChat({ title: "S", username: "fid_src", owner: "alice" });
  const dst = emu.createChat({ title: "D", username: "fid_dst", owner: "alice" });
  const client = emu.client("alice");
  return { emu, src, dst, client, from: await peerOf(client, "fid_src"), to: await peerOf(client, "fid_dst") };
}

describe("round trips", () => {
  it("answers carry the users that MessageEntityMentionName entities name; sends need InputMessageEntityMentionName with their access hash", async () => {
    const { emu: e, src, client, to } = await world();
    const bobId = e.accounts().find((a) => a.name === "bob")!.userId;
    const id = e.addPost(src.id, { text: "hi bob", entities: [{ type: "mentionName", offset: 3, length: 3, userId: bobId }] });
    const res = (await client.invoke(new Api.channels.GetMessages({ channel: await client.getInputEntity("fid_src") as never, id: [new Api.InputMessageID({ id })] }))) as Api.messages.ChannelMessages;
    const bob = res.users.find((u) => u.id.toString() === bobId) as Api.User;
    expect(bob).toBeDefined();
    const mention = (userId: Api.TypeInputUser) => new Api.messages.SendMessage({ peer: to, message: "hi bob", entities: [new Api.InputMessageEntityMentionName({ offset: 3, length: 3, userId })] });
    await client.invoke(mention(new Api.InputUser({ userId: bob.id, accessHash: bob.accessHash! })));
    await expectRpc(client.invoke(mention(new Api.InputUser({ userId: bob.id, accessHash: bigInt(12345) }))), "ENTITY_MENTION_USER_INVALID");
    await expectRpc(client.invoke(new Api.messages.SendMessage({ peer: to, message: "hi bob", entities: [new Api.MessageEntityMentionName({ offset: 3, length: 3, userId: bob.id })] })), "ENTITY_MENTION_USER_INVALID");
    const [copy] = e.inspect("@fid_dst");
    expect(copy!.entities).toEqual([{ type: "mentionName", offset: 3, length: 3, userId: bobId }]);
  });

  it("polls and quizzes serialise in answers and copy through InputMediaPoll", async () => {
    const { emu: e, src, dst, client, to } = await world();
    e.addPost(src.id, { media: { kind: "poll", poll: { question: "Q?", answers: [{ text: "a", option: "00" }, { text: "b", option: "01" }] } } });
    e.addPost(src.id, { media: { kind: "poll", poll: { question: "Quiz?", quiz: true, answers: [{ text: "x", option: "00" }, { text: "y", option: "01" }], correctAnswers: ["01"], solution: "y it is" } } });
    for (const m of await client.getMessages("fid_src", { limit: 10, reverse: true })) {
      if (!(m instanceof Api.Message) || !(m.media instanceof Api.MessageMediaPoll)) continue;
      const { poll, results } = m.media;
      const correct = results.results?.filter((r) => r.correct).map((r) => r.option);
      await client.invoke(new Api.messages.SendMedia({ peer: to, message: "", media: new Api.InputMediaPoll({ poll: new Api.Poll({ ...poll, id: bigInt(0) }), correctAnswers: correct, solution: results.solution, solutionEntities: results.solution ? [] : undefined }) }));
    }
    expect(await client.getMessages("fid_dst", { limit: 10 })).toHaveLength(3);
    expect(compareChats(e.inspect(src.id), e.inspect(dst.id))).toEqual([]);
  });

  it("a re-uploaded document with the same bytes and attributes inspects the same, thumbnail included", async () => {
    const { emu: e, src, dst, client, to } = await world();
    e.addPost(src.id, { text: "clip", entities: [{ type: "pre", offset: 0, length: 4, language: "ts" }], media: { kind: "video", size: 400_000, width: 1920, height: 1080, duration: 7.5, supportsStreaming: true } });
    const [m] = (await client.getMessages("fid_src", { limit: 1 })) as Api.Message[];
    const doc = m!.document!;
    const bytes = (await client.downloadMedia(m!, {})) as Buffer;
    const thumb = (await client.downloadMedia(m!, { thumb: doc.thumbs!.find((t) => t instanceof Api.PhotoSize)! })) as Buffer;
    const file = await client.uploadFile({ file: new CustomFile("clip.mp4", bytes.length, "", bytes), workers: 2 });
    const thumbFile = await client.uploadFile({ file: new CustomFile("t.jpg", thumb.length, "", thumb), workers: 1 });
    await client.invoke(new Api.messages.SendMedia({
      peer: to, message: m!.message, entities: m!.entities,
      media: new Api.InputMediaUploadedDocument({ file, thumb: thumbFile, mimeType: doc.mimeType, attributes: doc.attributes }),
    }));
    expect(compareChats(e.inspect(src.id), e.inspect(dst.id))).toEqual([]);
    expect(e.inspect(dst.id)[0]!.media!.thumbnail).toEqual(e.inspect(src.id)[0]!.media!.thumbnail);
  });

  it("compares entities and attributes field by field: key order, null and empty values do not count", () => {
    const a: InspectedPost = { chatId: "-1001", id: 2, date: 0, text: "code x", entities: [{ type: "pre", offset: 0, length: 4, language: "ts" }], noforwards: false, linkPreview: false, position: 0, media: { kind: "audio", size: 5, sha256: "ab", performer: "P" } };
    const b = { ...a, entities: [{ language: "ts", length: 4, offset: 0, type: "pre" }], media: { sha256: "ab", size: 5, kind: "audio", performer: "P", title: null } } as unknown as InspectedPost;
    expect(compareChats([a], [b])).toEqual([]);
    const c = { ...a, entities: [{ type: "pre", offset: 0, length: 4, language: "" }] } as InspectedPost;
    const d = { ...a, entities: [{ type: "pre", offset: 0, length: 4 }] } as InspectedPost;
    expect(compareChats([c], [d])).toEqual([]);
    expect(compareChats([a], [d]).map((x) => x.kind)).toEqual(["entities"]);
  });
});
