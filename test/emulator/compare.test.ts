import bigInt from "big-integer";
import { Api } from "telegram";
import { afterEach, describe, expect, it } from "vitest";
import { compareChats, Emulator, formatDifferences, type InspectedPost } from "../../src/emulator/index.js";
import { peerOf } from "./world.js";

let emu: Emulator | undefined;
afterEach(() => emu?.close());

function generated(posts = 80) {
  emu = Emulator.open({ seed: 3 });
  emu.addAccount({ name: "alice" });
  const src = emu.createChat({ title: "Src", username: "cmp_src", owner: "alice" });
  const dst = emu.createChat({ title: "Dst", username: "cmp_dst", owner: "alice" });
  emu.generate(src.id, { posts, seed: 8, albumShare: 0.5, replyShare: 0.2 });
  return { emu, src, dst, posts: emu.inspect(src.id) };
}

/** A copy of `posts` as another chat would hold it: new ids, new groupedIds, replies mapped. */
function asCopy(posts: readonly InspectedPost[]): InspectedPost[] {
  const idMap = new Map(posts.map((p, i) => [p.id, 5000 + i * 2]));
  return posts.map((p) => ({
    ...p,
    id: idMap.get(p.id)!,
    chatId: "-100999",
    ...(p.groupedId !== undefined ? { groupedId: `9${p.groupedId}` } : {}),
    ...(p.replyTo !== undefined ? { replyTo: idMap.get(p.replyTo) ?? p.replyTo } : {}),
  }));
}

const kinds = (expected: readonly InspectedPost[], actual: readonly InspectedPost[]) => [...new Set(compareChats(expected, actual).map((d) => d.kind))].sort();

describe("compareChats", () => {
  it("finds no difference between a chat and itself, nor a faithful copy with new ids and groupedIds", () => {
    const { posts } = generated();
    expect(compareChats(posts, posts)).toEqual([]);
    expect(formatDifferences(compareChats(posts, asCopy(posts)))).toBe("no differences");
  });

  it("finds each kind of difference", () => {
    const { posts } = generated();
    const copy = asCopy(posts);
    const albumStart = copy.findIndex((p, i) => p.groupedId !== undefined && copy[i + 1]?.groupedId === p.groupedId && copy[i + 2]?.groupedId === p.groupedId);
    const singles = copy.map((p, i) => [p, i] as const).filter(([p]) => p.groupedId === undefined && p.media !== undefined && p.media.kind !== "poll");
    const withMedia = copy.findIndex((p) => p.media?.duration !== undefined && p.groupedId === undefined);
    const withEntities = copy.findIndex((p) => p.entities.length > 1);
    const reply = copy.findIndex((p) => p.replyTo !== undefined);
    const text = copy.findIndex((p) => p.media === undefined && !p.linkPreview);
    expect(albumStart).toBeGreaterThanOrEqual(0);
    expect(singles.length).toBeGreaterThan(2);
    const edit = (i: number, f: (p: InspectedPost) => InspectedPost) => copy.map((p, j) => (j === i ? f(p) : p));

    expect(kinds(posts, copy.filter((_, i) => i !== 10))).toEqual(["missing"]);
    expect(kinds(posts, [...copy, { ...copy[text]!, id: 99999, text: "brand new", entities: [], position: copy.length }])).toEqual(["extra"]);
    const [a, b] = [singles[0]![1], singles[1]![1]];
    const swapped = copy.map((p, i) => (i === a ? copy[b]! : i === b ? copy[a]! : p));
    expect(kinds(posts, swapped)).toEqual(["reordered"]);
    expect(kinds(posts, edit(albumStart + 1, (p) => ({ ...p, groupedId: "123" })))).toEqual(["albumSplit"]);
    expect(kinds(posts, copy.map((p, i) => (i === singles[0]![1] || i === singles[1]![1] ? { ...p, groupedId: "456" } : p)))).toEqual(["albumMerged"]);
    expect(kinds(posts, edit(withMedia, (p) => ({ ...p, media: { ...p.media!, kind: "document" } })))).toEqual(["kind"]);
    expect(kinds(posts, edit(withMedia, (p) => ({ ...p, media: { ...p.media!, duration: p.media!.duration! + 1 } })))).toEqual(["attribute"]);
    expect(compareChats(posts, edit(withMedia, (p) => ({ ...p, media: { ...p.media!, duration: 0 } })))[0]!.field).toBe("duration");
    expect(kinds(posts, edit(text, (p) => ({ ...p, text: p.text + "!" })))).toEqual(["caption"]);
    expect(kinds(posts, edit(withEntities, (p) => ({ ...p, entities: p.entities.slice(1) })))).toEqual(["entities"]);
    expect(kinds(posts, edit(withMedia, (p) => ({ ...p, media: { ...p.media!, sha256: "00" } })))).toEqual(["bytes"]);
    expect(kinds(posts, edit(reply, (p) => ({ ...p, replyTo: undefined })))).toEqual(["reply"]);
    expect(kinds(posts, edit(reply, (p) => ({ ...p, replyTo: copy[reply - 1]!.id === p.replyTo ? copy[0]!.id : copy[reply - 1]!.id })))).toEqual(["reply"]);
    expect(kinds(posts, edit(text, (p) => ({ ...p, linkPreview: !p.linkPreview })))).toEqual(["linkPreview"]);
    expect(kinds(posts, edit(text, (p) => ({ ...p, noforwards: !p.noforwards })))).toEqual(["noforwards"]);
    expect(compareChats(posts, edit(text, (p) => ({ ...p, noforwards: !p.noforwards })), { ignore: ["noforwards"] })).toEqual([]);
  });

  it("a forward of the whole chat on album borders shows no difference but the replies forwarding drops", async () => {
    const { emu: e, src, dst, posts } = generated(60);
    const client = e.client("alice");
    const [from, to] = [await peerOf(client, "cmp_src"), await peerOf(client, "cmp_dst")];
    // Batches of whole albums, at most 100 ids each (here one batch per album or single post).
    const batches: number[][] = [];
    for (const p of posts) {
      const last = batches[batches.length - 1];
      if (last !== undefined && p.groupedId !== undefined && posts.find((q) => q.id === last[0])!.groupedId === p.groupedId) last.push(p.id);
      else batches.push([p.id]);
    }
    for (const ids of batches) await client.invoke(new Api.messages.ForwardMessages({ fromPeer: from, toPeer: to, id: ids, randomId: ids.map((i) => bigInt(1_000_000 + i)) }));
    const copy = e.inspect(dst.id);
    expect(compareChats(posts, copy, { ignore: ["reply"] })).toEqual([]);
    expect(new Set(compareChats(posts, copy).map((d) => d.kind))).toEqual(new Set(posts.some((p) => p.replyTo) ? ["reply"] : []));
    // Cutting an album between two requests splits it: the copy holds two albums.
    const album = posts.filter((p) => p.groupedId !== undefined && p.groupedId === posts.find((q) => q.groupedId !== undefined)!.groupedId);
    const e2 = e.createChat({ title: "Cut", username: "cmp_cut", owner: "alice" });
    const cut = await peerOf(client, "cmp_cut");
    const half = Math.ceil(album.length / 2);
    for (const part of [album.slice(0, half), album.slice(half)]) {
      await client.invoke(new Api.messages.ForwardMessages({ fromPeer: from, toPeer: cut, id: part.map((p) => p.id), randomId: part.map((p) => bigInt(2_000_000 + p.id)) }));
    }
    expect(compareChats(album, e.inspect(e2.id)).map((d) => d.kind)).toEqual(["albumSplit"]);
  });
});
