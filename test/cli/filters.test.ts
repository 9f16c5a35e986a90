import { describe, expect, it } from "vitest";
import type { Post } from "../../src/model/index.js";
import { batchSkipReason, compileFilters, hashtagsOf } from "../../src/pipeline/filters.js";

const post = (id: number, over: Partial<Post> = {}): Post => ({
  chatId: "-1001", id, date: 1_700_000_000, text: "", entities: [], noforwards: false, linkPreview: false, ...over,
});
const photo = (id: number, size: number, over: Partial<Post> = {}) => post(id, { media: { kind: "photo", size }, ...over });

describe("compileFilters", () => {
  it("kinds and skip kinds", () => {
    const f = compileFilters({ kinds: ["photo", "text"] });
    expect(f(photo(1, 10))).toBeUndefined();
    expect(f(post(2))).toBeUndefined();
    expect(f(post(3, { media: { kind: "sticker", size: 5 } }))).toBe("kind:sticker");
    expect(compileFilters({ skipKinds: ["photo"] })(photo(1, 1))).toBe("kind:photo");
  });
  it("sizes: posts without media pass", () => {
    const f = compileFilters({ minSize: 100, maxSize: 1000 });
    expect(f(photo(1, 99))).toBe("size-below-min");
    expect(f(photo(1, 1001))).toBe("size-above-max");
    expect(f(photo(1, 1000))).toBeUndefined();
    expect(f(post(1))).toBeUndefined();
  });
  it("text regexes (a g flag does not make test() stateful)", () => {
    const f = compileFilters({ text: /news/giu, notText: /ad/u });
    expect(f(post(1, { text: "News today" }))).toBeUndefined();
    expect(f(post(2, { text: "News today" }))).toBeUndefined();
    expect(f(post(3, { text: "weather" }))).toBe("text-mismatch");
    expect(f(post(4, { text: "news ad" }))).toBe("text-excluded");
  });
  it("hashtags from entities or the text, case-insensitive, non-Latin", () => {
    expect([...hashtagsOf({ text: "a #News и #новости_дня", entities: [] })]).toEqual(["news", "новости_дня"]);
    const f = compileFilters({ hashtags: ["news"] });
    expect(f(post(1, { text: "#NEWS" }))).toBeUndefined();
    expect(f(post(2, { text: "x#news" }))).toBe("no-hashtag");
    expect(f(post(3, { text: "tag", entities: [{ type: "hashtag", offset: 0, length: 3 }] }))).toBe("no-hashtag");
  });
});

describe("batchSkipReason: albums are never cut", () => {
  it("keeps the whole album when one item passes", () => {
    const f = compileFilters({ kinds: ["video"] });
    const album = { posts: [photo(1, 1, { groupedId: "g" }), post(2, { groupedId: "g", media: { kind: "video", size: 1 } })], groupedId: "g", seq: 0 };
    expect(batchSkipReason(album, f)).toBeUndefined();
  });
  it("skips it whole with the first reason when none passes", () => {
    const f = compileFilters({ kinds: ["video"] });
    const album = { posts: [photo(1, 1, { groupedId: "g" }), photo(2, 1, { groupedId: "g" })], groupedId: "g", seq: 0 };
    expect(batchSkipReason(album, f)).toBe("kind:photo");
  });
  it("judges text filters on the album's caption, whichever item holds it", () => {
    const f = compileFilters({ kinds: ["photo"], hashtags: ["cats"] });
    const album = { posts: [photo(1, 1, { groupedId: "g" }), photo(2, 1, { groupedId: "g", text: "#cats" })], groupedId: "g", seq: 0 };
    expect(batchSkipReason(album, f)).toBeUndefined();
    const other = { posts: [photo(1, 1, { groupedId: "g" }), photo(2, 1, { groupedId: "g", text: "#dogs" })], groupedId: "g", seq: 0 };
    expect(batchSkipReason(other, f)).toBe("no-hashtag");
  });
});
