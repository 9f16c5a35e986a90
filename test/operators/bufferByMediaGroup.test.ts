import bigInt from "big-integer";
import { from } from "rxjs";
import { describe, expect, it } from "vitest";
import { bufferByMediaGroup } from "../../src/operators/index.js";
import type { Post } from "../../src/model/index.js";
import { marbleNames, runMarble } from "../helpers/marbles.js";
import { post } from "../helpers/posts.js";

const keyError = new Error("no groupedId");
const throwing = Object.defineProperty(post(99), "groupedId", { get: () => { throw keyError; } });

const posts: Record<string, Post> = {
  a: post(1, { groupedId: "1" }), b: post(2, { groupedId: "1" }),
  c: post(3, { groupedId: "2" }), d: post(4, { groupedId: "2" }),
  x: post(5), y: post(6), e: throwing,
};
const twelve: Record<string, Post> = Object.fromEntries(
  [..."abcdefghijkl"].map((l, i) => [l, post(10 + i, { groupedId: "9" })]),
);
const keyed = { a: { key: "5" }, b: { key: 5 }, c: { key: 5n }, d: { key: bigInt(5) } };

/** The expected arrays, from the `X := [...]` lines' letters. */
const arrays = (src: Record<string, unknown>, defs: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(defs).map(([k, ls]) => [k, ls.map((l) => src[l])]));

const byGroup = bufferByMediaGroup((p: Post) => p.groupedId);

const cases: Record<string, () => void> = {
  "bufferByMediaGroup.empty": () => runMarble("bufferByMediaGroup.empty", (i) => i.source!.pipe(byGroup)),
  "bufferByMediaGroup.never": () => runMarble("bufferByMediaGroup.never", (i) => i.source!.pipe(byGroup)),
  "bufferByMediaGroup.one-single": () =>
    runMarble("bufferByMediaGroup.one-single", (i) => i.source!.pipe(byGroup), { values: posts, expected: arrays(posts, { X: ["x"] }) }),
  "bufferByMediaGroup.one-album-item": () =>
    runMarble("bufferByMediaGroup.one-album-item", (i) => i.source!.pipe(byGroup), { values: posts, expected: arrays(posts, { P: ["a"] }) }),
  "bufferByMediaGroup.single-closes-album": () =>
    runMarble("bufferByMediaGroup.single-closes-album", (i) => i.source!.pipe(byGroup), {
      values: posts, expected: arrays(posts, { P: ["a", "b"], X: ["x"] }),
    }),
  "bufferByMediaGroup.next-album-closes-album": () =>
    runMarble("bufferByMediaGroup.next-album-closes-album", (i) => i.source!.pipe(byGroup), {
      values: posts, expected: arrays(posts, { P: ["a", "b"], Q: ["c", "d"] }),
    }),
  "bufferByMediaGroup.album-at-end": () =>
    runMarble("bufferByMediaGroup.album-at-end", (i) => i.source!.pipe(byGroup), {
      values: posts, expected: arrays(posts, { X: ["x"], P: ["a", "b"] }),
    }),
  "bufferByMediaGroup.album-across-pages": () =>
    runMarble("bufferByMediaGroup.album-across-pages", (i) => i.source!.pipe(byGroup), {
      values: posts, expected: arrays(posts, { X: ["x"], P: ["a", "b"], Y: ["y"] }),
    }),
  "bufferByMediaGroup.singles-between-albums": () =>
    runMarble("bufferByMediaGroup.singles-between-albums", (i) => i.source!.pipe(byGroup), {
      values: posts, expected: arrays(posts, { P: ["a", "b"], X: ["x"], Y: ["y"], Q: ["c", "d"] }),
    }),
  "bufferByMediaGroup.single-splits-album": () =>
    runMarble("bufferByMediaGroup.single-splits-album", (i) => i.source!.pipe(byGroup), {
      values: posts, expected: arrays(posts, { P: ["a"], X: ["x"], Q: ["b"] }),
    }),
  "bufferByMediaGroup.more-than-max-size": () =>
    runMarble("bufferByMediaGroup.more-than-max-size", (i) => i.source!.pipe(bufferByMediaGroup((p: Post) => p.groupedId, { maxSize: 10 })), {
      values: twelve, expected: arrays(twelve, { P: [..."abcdefghij"], Q: ["k", "l"] }),
    }),
  "bufferByMediaGroup.key-by-value": () =>
    runMarble("bufferByMediaGroup.key-by-value", (i) => i.source!.pipe(bufferByMediaGroup((p: { key: unknown }) => p.key)), {
      values: keyed, expected: arrays(keyed, { P: ["a", "b", "c", "d"] }),
    }),
  "bufferByMediaGroup.error-drops-partial": () =>
    runMarble("bufferByMediaGroup.error-drops-partial", (i) => i.source!.pipe(byGroup), { values: posts }),
  "bufferByMediaGroup.error-after-flush": () =>
    runMarble("bufferByMediaGroup.error-after-flush", (i) => i.source!.pipe(byGroup), {
      values: posts, expected: arrays(posts, { P: ["a"], X: ["x"] }),
    }),
  "bufferByMediaGroup.early-unsubscribe": () =>
    runMarble("bufferByMediaGroup.early-unsubscribe", (i) => i.source!.pipe(byGroup), { values: posts }),
  "bufferByMediaGroup.key-throws": () =>
    runMarble("bufferByMediaGroup.key-throws", (i) => i.source!.pipe(byGroup), { values: posts, error: keyError }),
  "bufferByMediaGroup.idle-flush": () =>
    runMarble("bufferByMediaGroup.idle-flush", (i) => i.source!.pipe(bufferByMediaGroup((p: Post) => p.groupedId, { maxWaitMs: 5 })), {
      values: posts, expected: arrays(posts, { P: ["a", "b"], X: ["x"] }),
    }),
};

describe("bufferByMediaGroup (marbles/bufferByMediaGroup.*.txt)", () => {
  it("has a test for every diagram file and a diagram file for every test", () => {
    expect(Object.keys(cases).sort()).toEqual(marbleNames("bufferByMediaGroup"));
  });
  for (const [name, run] of Object.entries(cases)) it(name.split(".")[1]!, run);

  it("keeps state per subscription: one operator instance serves two sources", () => {
    const out: number[][] = [];
    const op = bufferByMediaGroup((p: Post) => p.groupedId);
    
    from([posts.a!, posts.b!]).pipe(op).subscribe((b) => out.push(b.map((p) => p.id)));
    from([posts.b!, posts.x!]).pipe(op).subscribe((b) => out.push(b.map((p) => p.id)));
    expect(out).toEqual([[1, 2], [2], [5]]);
  });
  it("refuses maxSize < 1", () => {
    expect(() => bufferByMediaGroup(() => "k", { maxSize: 0 })).toThrow(RangeError);
  });
});
