import { describe, expect, it } from "vitest";
import { batchBytes, batchOf, inRange, isAlbum, type Post } from "../../src/model/index.js";

const post = (id: number, extra: Partial<Post> = {}): Post => ({
  chatId: "c", id, date: 1000 + id, text: "", entities: [], noforwards: false, linkPreview: false, ...extra,
});

describe("batch", () => {
  it("refuses empty and oversized batches", () => {
    expect(() => batchOf([], 0)).toThrow(RangeError);
    expect(() => batchOf(Array.from({ length: 11 }, (_, i) => post(i)), 0)).toThrow(RangeError);
  });
  it("takes the album key from its first post and sums media bytes", () => {
    const b = batchOf([post(1, { groupedId: "7", media: { kind: "photo", size: 10 } }), post(2, { groupedId: "7", media: { kind: "video", size: 5 } })], 3);
    expect(b.groupedId).toBe("7");
    expect(isAlbum(b)).toBe(true);
    expect(batchBytes(b)).toBe(15);
    expect(isAlbum(batchOf([post(3)], 4))).toBe(false);
  });
  it("checks inclusive id and date bounds", () => {
    expect(inRange(post(5), { fromId: 5, toId: 5 })).toBe(true);
    expect(inRange(post(4), { fromId: 5 })).toBe(false);
    expect(inRange(post(6), { toId: 5 })).toBe(false);
    expect(inRange(post(5), { since: 1006 })).toBe(false);
    expect(inRange(post(5), { until: 1004 })).toBe(false);
  });
});
