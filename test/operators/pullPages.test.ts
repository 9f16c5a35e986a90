import { concatMap, map, take, type Observable } from "rxjs";
import { describe, expect, it } from "vitest";
import { pullPages } from "../../src/operators/index.js";
import { marbleNames, runMarble, type MarbleInputs } from "../helpers/marbles.js";

/** A paged source over the inputs page1, page2, ...: one page per demand, complete after the last. */
const pages = (i: MarbleInputs) => (demand$: Observable<void>) => {
  const all = Object.keys(i).filter((k) => k.startsWith("page")).sort().map((k) => i[k]!);
  return demand$.pipe(take(all.length), concatMap((_, n) => all[n]!));
};
const taken = (i: MarbleInputs) => i.taken!.pipe(map(Number));

const simple = (name: string, lowWater: number) => () =>
  runMarble(name, (i) => pullPages(pages(i), taken(i), { lowWater }));

const readError = new Error("cannot read");
const cases: Record<string, () => void> = {
  "pullPages.on-demand": simple("pullPages.on-demand", 0),
  "pullPages.low-water": simple("pullPages.low-water", 1),
  "pullPages.never-consumed": simple("pullPages.never-consumed", 0),
  "pullPages.empty": simple("pullPages.empty", 0),
  "pullPages.error": simple("pullPages.error", 0),
  "pullPages.early-unsubscribe": simple("pullPages.early-unsubscribe", 0),
  "pullPages.read-throws": () =>
    runMarble("pullPages.read-throws", (i) => pullPages(() => { throw readError; }, taken(i)), { error: readError }),
};

describe("pullPages (marbles/pullPages.*.txt)", () => {
  it("has a test for every diagram file and a diagram file for every test", () => {
    expect(Object.keys(cases).sort()).toEqual(marbleNames("pullPages"));
  });
  for (const [name, run] of Object.entries(cases)) it(name.split(".")[1]!, run);
});
