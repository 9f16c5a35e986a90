import { defer } from "rxjs";
import { describe, expect, it } from "vitest";
import { Fatal, FloodWait } from "../../src/model/index.js";
import { FloodWaitInterrupted, retryOnFloodWait } from "../../src/operators/index.js";
import { marbleNames, runMarble, type MarbleInputs } from "../helpers/marbles.js";

const limits = { maxWaitSeconds: 60, maxRetries: 5 };
const flood = (s: number) => new FloodWait(s, "acc1", "messages.SendMedia");
const oops = new Error("onWait failed");

/** `first` on the first subscription, `second` on every later one. */
const firstThenSecond = (i: MarbleInputs) => {
  let n = 0;
  return defer(() => (n++ === 0 ? i.first! : i.second!));
};

const cases: Record<string, () => void> = {
  "retryOnFloodWait.empty": () => runMarble("retryOnFloodWait.empty", (i) => i.source!.pipe(retryOnFloodWait(limits))),
  "retryOnFloodWait.never": () => runMarble("retryOnFloodWait.never", (i) => i.source!.pipe(retryOnFloodWait(limits))),
  "retryOnFloodWait.one": () => runMarble("retryOnFloodWait.one", (i) => i.source!.pipe(retryOnFloodWait(limits))),
  "retryOnFloodWait.many": () =>
    runMarble("retryOnFloodWait.many", (i) => firstThenSecond(i).pipe(retryOnFloodWait(limits)), {
      inputErrors: { first: flood(1) },
    }),
  "retryOnFloodWait.wait-then-resend": () => {
    const waits: Array<[number, number]> = [];
    runMarble(
      "retryOnFloodWait.wait-then-resend",
      (i) => firstThenSecond(i).pipe(retryOnFloodWait({ ...limits, onWait: (e, n) => waits.push([e.seconds, n]) })),
      { inputErrors: { first: flood(3) } },
    );
    expect(waits).toEqual([[3, 1]]);
  },
  "retryOnFloodWait.other-error": () => {
    const fatal = new Fatal("no rights", "CHAT_WRITE_FORBIDDEN");
    runMarble("retryOnFloodWait.other-error", (i) => i.source!.pipe(retryOnFloodWait(limits)), {
      inputErrors: { source: fatal }, error: fatal,
    });
  },
  "retryOnFloodWait.wait-too-long": () =>
    runMarble("retryOnFloodWait.wait-too-long", (i) => i.source!.pipe(retryOnFloodWait(limits)), {
      inputErrors: { source: flood(100) }, error: flood(100),
    }),
  "retryOnFloodWait.too-many-retries": () =>
    runMarble("retryOnFloodWait.too-many-retries", (i) => i.source!.pipe(retryOnFloodWait({ maxWaitSeconds: 60, maxRetries: 2 })), {
      inputErrors: { source: flood(1) }, error: flood(1),
    }),
  "retryOnFloodWait.unsubscribe-while-waiting": () =>
    runMarble("retryOnFloodWait.unsubscribe-while-waiting", (i) => i.source!.pipe(retryOnFloodWait(limits)), {
      inputErrors: { source: flood(3) },
    }),
  "retryOnFloodWait.interrupted": () =>
    runMarble("retryOnFloodWait.interrupted", (i) => i.source!.pipe(retryOnFloodWait({ ...limits, interrupt$: i.interrupt! })), {
      inputErrors: { source: flood(3) }, error: new FloodWaitInterrupted(flood(3)),
    }),
  "retryOnFloodWait.on-wait-throws": () =>
    runMarble(
      "retryOnFloodWait.on-wait-throws",
      (i) => i.source!.pipe(retryOnFloodWait({ ...limits, onWait: () => { throw oops; } })),
      { inputErrors: { source: flood(3) }, error: oops },
    ),
};

describe("retryOnFloodWait (marbles/retryOnFloodWait.*.txt)", () => {
  it("has a test for every diagram file and a diagram file for every test", () => {
    expect(Object.keys(cases).sort()).toEqual(marbleNames("retryOnFloodWait"));
  });
  for (const [name, run] of Object.entries(cases)) it(name.split(".")[1]!, run);
});
