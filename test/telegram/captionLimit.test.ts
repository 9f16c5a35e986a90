import { describe, expect, it } from "vitest";
import { cutPoint, planCaption, sliceEntities, splitText } from "../../src/telegram/captionLimit.js";

describe("caption policy", () => {
  const text = "a".repeat(900) + " " + "b".repeat(300);
  const entities = [{ type: "bold" as const, offset: 890, length: 20 }];

  it("fits: nothing changes, no warning", () => {
    const p = planCaption({ text: "short", entities: [] }, 1024, "split", 1);
    expect(p).toEqual({ head: { text: "short", entities: [] }, tail: [] });
  });

  it("split: the rest follows as text, entities cut and shifted, warned", () => {
    const p = planCaption({ text, entities }, 1024, "split", 7);
    expect(p.head.text + p.tail.map((t) => t.text).join("")).toBe(text);
    expect(p.head.text.length).toBeLessThanOrEqual(1024);
    expect(p.head.text.endsWith(" ")).toBe(true); // cut at a space
    expect(p.head.entities).toEqual([{ type: "bold", offset: 890, length: 11 }]);
    expect(p.tail[0]!.entities).toEqual([{ type: "bold", offset: 0, length: 9 }]);
    expect(p.warning).toMatch(/post 7.*split/);
  });

  it("truncate cuts with a warning; fail gives a skip reason", () => {
    const t = planCaption({ text, entities }, 1024, "truncate", 7);
    expect(t.tail).toEqual([]);
    expect(t.warning).toMatch(/cut/);
    expect(planCaption({ text, entities }, 1024, "fail", 7).skipReason).toMatch(/limit is 1024/);
  });

  it("never splits a surrogate pair", () => {
    const s = "x".repeat(9) + "😀" + "y";
    expect(cutPoint(s, 10)).toBe(9);
    const parts = splitText({ text: "😀".repeat(10), entities: [] }, 5, 5);
    expect(parts.every((p) => !/[\uD800-\uDBFF]$/.test(p.text))).toBe(true);
    expect(parts.map((p) => p.text).join("")).toBe("😀".repeat(10));
  });

  it("sliceEntities drops entities outside the slice", () => {
    expect(sliceEntities([{ type: "italic", offset: 0, length: 2 }], 5, 10)).toEqual([]);
  });
});
