import { concat, finalize, ignoreElements, mergeMap, of, type Observable } from "rxjs";
import { describe, expect, it } from "vitest";
import { ByteBudget } from "../../src/operators/index.js";
import { marbleNames, runMarble, type MarbleInputs } from "../helpers/marbles.js";

/** Each source letter asks for its size; the letter comes out when granted; the permit is held for `hold`. */
const granting = (budget: ByteBudget, size: Record<string, number>) => (i: MarbleInputs): Observable<string> =>
  (i.source as Observable<string>).pipe(
    mergeMap((x) =>
      budget.take(size[x]!).pipe(
        mergeMap((permit) => concat(of(x), i.hold!.pipe(ignoreElements(), finalize(permit.release)))),
      ),
    ),
  );

const cases: Record<string, () => void> = {
  "byteBudget.fifo": () => {
    const budget = new ByteBudget(10);
    runMarble("byteBudget.fifo", granting(budget, { a: 6, b: 6, c: 2 }));
    expect(budget.peak).toBe(8);
    expect(budget.inUse).toBe(0);
  },
  "byteBudget.oversized": () => {
    const budget = new ByteBudget(10);
    runMarble("byteBudget.oversized", granting(budget, { a: 4, b: 25, c: 1 }));
    expect(budget.peak).toBe(25);
    expect(budget.inUse).toBe(0);
  },
  "byteBudget.withdraw": () => {
    const budget = new ByteBudget(10);
    runMarble("byteBudget.withdraw", granting(budget, { a: 8, b: 8 }));
    expect(budget.waiting).toBe(0);
    expect(budget.inUse).toBe(0);
  },
  "byteBudget.empty": () => runMarble("byteBudget.empty", granting(new ByteBudget(10), {})),
};

describe("ByteBudget (marbles/byteBudget.*.txt)", () => {
  it("has a test for every diagram file and a diagram file for every test", () => {
    expect(Object.keys(cases).sort()).toEqual(marbleNames("byteBudget"));
  });
  for (const [name, run] of Object.entries(cases)) it(name.split(".")[1]!, run);

  it("releases once however often release() is called", () => {
    const budget = new ByteBudget(10);
    let permit: { release: () => void } | undefined;
    budget.take(7).subscribe((p) => (permit = p));
    permit!.release();
    permit!.release();
    expect(budget.inUse).toBe(0);
    expect(budget.held).toBe(0);
  });
  it("refuses a capacity <= 0", () => {
    expect(() => new ByteBudget(0)).toThrow(RangeError);
  });
});
