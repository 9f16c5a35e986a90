import { lastValueFrom, NEVER, of, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { windowedSource } from "../../src/pipeline/scheduler.js";
import { channel, FakeWorld, rng } from "./fakes.js";

describe("windowedSource", () => {
  it("answers small reads from the window read before, with exactly the posts of each range", async () => {
    const random = rng(3);
    const world = new FakeWorld(channel(80, random), random, {}, 1);
    const source = windowedSource(world.source("a", 10), 50);
    const ids = async (fromId: number, toId: number, since?: number) =>
      (await lastValueFrom(source.read({ fromId, toId, ...(since ? { since } : {}) }, of(0)).pipe(toArray()))).map((p) => p.id);
    const expectIds = (fromId: number, toId: number) => world.posts.filter((p) => p.id >= fromId && p.id <= toId).map((p) => p.id);
    expect(await ids(1, 3)).toEqual(expectIds(1, 3));
    const afterFirst = world.requests.length;
    expect(afterFirst).toBeGreaterThan(0);
    for (let lo = 4; lo + 2 <= 50; lo += 3) expect(await ids(lo, lo + 2)).toEqual(expectIds(lo, lo + 2));
    // No new page was read inside the window.
    expect(world.requests.length).toBe(afterFirst);
    expect(await ids(51, 55)).toEqual(expectIds(51, 55));
    expect(world.requests.length).toBeGreaterThan(afterFirst);
    // Date bounds are part of the window's key and filter.
    const since = world.posts[5]!.date;
    expect(await ids(1, 20, since)).toEqual(world.posts.filter((p) => p.id <= 20 && p.date >= since).map((p) => p.id));
  });

  it("reads nothing before the reader's first demand", async () => {
    const random = rng(4);
    const world = new FakeWorld(channel(20, random), random, {}, 1);
    const sub = windowedSource(world.source("a"), 50).read({ fromId: 1, toId: 5 }, NEVER).subscribe();
    await new Promise((r) => setTimeout(r, 20));
    expect(world.requests).toEqual([]);
    sub.unsubscribe();
  });
});
