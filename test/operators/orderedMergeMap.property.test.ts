import fc from "fast-check";
import { defer, finalize, from, map, timer } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { orderedMergeMap } from "../../src/operators/index.js";

describe("orderedMergeMap properties (virtual time)", () => {
  it("emits in source order and never holds more than `concurrency` inners, for random latencies", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        (latencies, concurrency) => {
          let open = 0;
          let peak = 0;
          const out: number[] = [];
          new TestScheduler((a, b) => expect(a).toEqual(b)).run(() => {
            from(latencies.map((d, i) => [i, d] as const))
              .pipe(
                orderedMergeMap(([i, d]) => defer(() => {
                  open++;
                  peak = Math.max(peak, open);
                  return timer(d).pipe(map(() => i));
                }), concurrency),
                // A slot is free only once its value is out: count it closed here.
                map((i) => { open--; return i; }),
                finalize(() => undefined),
              )
              .subscribe((i) => out.push(i));
          });
          expect(out).toEqual(latencies.map((_, i) => i));
          expect(peak).toBeLessThanOrEqual(concurrency);
        },
      ),
      { numRuns: 300 },
    );
  });
});
