/** Operators stop a synchronous source as soon as downstream unsubscribes (no "synchronous firehose"). */
import { of, range, take, tap } from "rxjs";
import { describe, expect, it } from "vitest";
import { bufferByMediaGroup, orderedMergeMap } from "../../src/operators/index.js";

describe("synchronous sources and take() downstream", () => {
  it("bufferByMediaGroup stops reading after take(3)", () => {
    let pulled = 0;
    const out: number[][] = [];
    range(1, 100_000).pipe(tap(() => pulled++), bufferByMediaGroup(() => undefined), take(3)).subscribe((b) => out.push(b));
    expect(out).toEqual([[1], [2], [3]]);
    expect(pulled).toBe(3);
  });
  it("orderedMergeMap stops reading after take(3)", () => {
    let pulled = 0;
    const out: number[] = [];
    range(1, 100_000).pipe(tap(() => pulled++), orderedMergeMap((x) => of(x), 2), take(3)).subscribe((x) => out.push(x));
    expect(out).toEqual([1, 2, 3]);
    expect(pulled).toBe(3);
  });
});
