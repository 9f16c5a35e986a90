import { describe, expect, it } from "vitest";
import { orderedMergeMap } from "../../src/operators/index.js";
import { marbleNames, runMarble, type MarbleInputs } from "../helpers/marbles.js";

const projectError = new Error("project failed");
/** Each source letter names the inner of the same name. */
const byName = (inputs: MarbleInputs) =>
  orderedMergeMap((x: string) => {
    if (x === "e") throw projectError;
    return inputs[x]!;
  }, 2);

const simple = (name: string, values = {}) => () =>
  runMarble(name, (i) => i.source!.pipe(byName(i)), values);

const cases: Record<string, () => void> = {
  "orderedMergeMap.empty": simple("orderedMergeMap.empty"),
  "orderedMergeMap.never": simple("orderedMergeMap.never"),
  "orderedMergeMap.one": simple("orderedMergeMap.one"),
  "orderedMergeMap.order-under-skew": simple("orderedMergeMap.order-under-skew"),
  "orderedMergeMap.concurrency-cap": simple("orderedMergeMap.concurrency-cap"),
  "orderedMergeMap.many-values": simple("orderedMergeMap.many-values"),
  "orderedMergeMap.inner-error": simple("orderedMergeMap.inner-error"),
  "orderedMergeMap.source-error": simple("orderedMergeMap.source-error"),
  "orderedMergeMap.early-unsubscribe": simple("orderedMergeMap.early-unsubscribe"),
  "orderedMergeMap.project-throws": simple("orderedMergeMap.project-throws", { error: projectError }),
};

describe("orderedMergeMap (marbles/orderedMergeMap.*.txt)", () => {
  it("has a test for every diagram file and a diagram file for every test", () => {
    expect(Object.keys(cases).sort()).toEqual(marbleNames("orderedMergeMap"));
  });
  for (const [name, run] of Object.entries(cases)) it(name.split(".")[1]!, run);
  it("refuses concurrency < 1", () => {
    expect(() => orderedMergeMap(() => [], 0)).toThrow(RangeError);
  });
});
