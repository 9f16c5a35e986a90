import { filter, map, of, type Observable } from "rxjs";
import { describe, expect, it } from "vitest";
import { Fatal, FloodWait, SkipPost, Transient, type Post } from "../../src/model/index.js";
import { relay, type RelayEvent, type RelayOptions } from "../../src/pipeline/index.js";
import { FakeSink, FakeSource, type FakeSinkOptions } from "../helpers/fakePorts.js";
import { marbleNames, runMarble, type MarbleCase, type MarbleInputs, type MarbleValues } from "../helpers/marbles.js";
import { MemoryJournal } from "../helpers/memoryJournal.js";
import { post } from "../helpers/posts.js";
import { code, DRAWN } from "../helpers/relayCodes.js";

const posts: Record<string, Post> = {
  a: post(1, { groupedId: "g1", size: 10 }), b: post(2, { groupedId: "g1", size: 10 }), c: post(3, { groupedId: "g1", size: 10 }),
  x: post(10, { size: 10 }), y: post(11, { size: 10 }), z: post(12, { size: 10 }),
};

interface Setup {
  readonly options?: (i: MarbleInputs) => Partial<RelayOptions>;
  readonly journal?: MemoryJournal;
  readonly sink?: FakeSinkOptions;
  readonly errors?: Record<string, unknown>;
  readonly error?: unknown;
  /** Expected values of the letters: must equal the file's `X := ...` lines. */
  readonly expected?: Record<string, string>;
  readonly after?: (world: World) => void;
}
interface World { source: FakeSource; sink: FakeSink; journal: MemoryJournal }

function run(name: string, setup: Setup = {}): void {
  let world: World | undefined;
  const journal = setup.journal ?? new MemoryJournal();
  const values: MarbleValues = {
    values: posts,
    ...(setup.errors ? { inputErrors: setup.errors } : {}),
    ...(setup.expected ? { expected: setup.expected } : {}),
    ...(setup.error !== undefined ? { error: setup.error } : {}),
  };
  const marble: MarbleCase = runMarble(name, (i) => {
    const pages = Object.keys(i).filter((k) => /^page\d+$/.test(k)).sort().map((k) => i[k] as Observable<Post>);
    const source = new FakeSource({ pages, download: (b) => i[`dl${b.seq}`] ?? i.dl ?? of(1) });
    const sink = new FakeSink({
      deliver: (b, n) => i[`send${b.seq}_${n}`] ?? i[`send${b.seq}`] ?? i.send ?? of(1),
      ...setup.sink,
    });
    world = { source, sink, journal };
    return relay({ source, sinks: [sink], journal, range: {}, ...setup.options?.(i) }).pipe(
      filter((e: RelayEvent) => DRAWN.has(e.type)),
      map(code),
    );
  }, values);
  // The picture's definitions and the assertion's values are the same text.
  expect(marble.definitions).toEqual(setup.expected ?? {});
  setup.after?.(world!);
}

const flood3 = new FloodWait(3, "acc1", "messages.SendMultiMedia");
const fatal = new Fatal("no right to post", "CHAT_WRITE_FORBIDDEN");
const filterError = new Error("filter failed");

const cases: Record<string, () => void> = {
  "relay.empty": () => run("relay.empty", { expected: { D: "done" } }),
  "relay.never": () => run("relay.never"),
  "relay.one": () => run("relay.one", {
    expected: { X: "sent 10", D: "done" },
    after: ({ journal }) => expect(journal.commits.map((c) => c.postIds)).toEqual([[10]]),
  }),
  "relay.order-under-latency": () => run("relay.order-under-latency", {
    options: () => ({ concurrency: 3 }),
    expected: { X: "sent 10", Y: "sent 11", Z: "sent 12", D: "done" },
    after: ({ sink }) => expect(sink.delivered).toEqual([[10], [11], [12]]),
  }),
  "relay.flood-wait-mid-album": () => run("relay.flood-wait-mid-album", {
    errors: { send0_1: flood3 },
    expected: { W: "flood-wait 3", P: "sent 1,2,3", D: "done" },
    after: ({ journal, sink }) => {
      expect(sink.attempts.get(0)).toBe(2);
      expect(sink.delivered).toEqual([[1, 2, 3]]);
      expect(journal.commits.map((c) => c.postIds)).toEqual([[1, 2, 3]]);
    },
  }),
  "relay.budget-bounds-downloads": () => run("relay.budget-bounds-downloads", {
    options: () => ({ concurrency: 3, budgetBytes: 20 }),
    expected: { X: "sent 10", Y: "sent 11", Z: "sent 12", D: "done" },
  }),
  "relay.stop-at-batch-border": () => run("relay.stop-at-batch-border", {
    options: (i) => ({ stop$: i.stop! }),
    expected: { X: "sent 10", D: "done stopped" },
    after: ({ journal }) => {
      expect(journal.commits.map((c) => c.postIds)).toEqual([[10]]);
      expect(journal.begun.map((c) => c.postIds)).toEqual([[10]]);
    },
  }),
  "relay.stop-during-flood-wait": () => run("relay.stop-during-flood-wait", {
    options: (i) => ({ stop$: i.stop! }),
    errors: { send0_1: flood3 },
    expected: { W: "flood-wait 3", D: "done stopped" },
    after: ({ journal, sink }) => {
      expect(sink.attempts.get(0)).toBe(1);
      expect(sink.delivered).toEqual([]);
      expect(journal.commits).toEqual([]);
      expect(journal.abandoned).toEqual([{ target: "t1", postIds: [10] }]);
    },
  }),
  "relay.stop-finishes-started": () => run("relay.stop-finishes-started", {
    options: (i) => ({ concurrency: 2, stop$: i.stop! }),
    expected: { X: "sent 10", Y: "sent 11", D: "done stopped" },
    after: ({ source }) => expect(source.downloads).toEqual([0, 1]),
  }),
  "relay.skip-post-goes-on": () => run("relay.skip-post-goes-on", {
    options: () => ({ concurrency: 2 }),
    errors: { dl0: new SkipPost("MEDIA_EMPTY") },
    expected: { K: "skipped 10 MEDIA_EMPTY", Y: "sent 11", D: "done" },
    after: ({ journal }) => expect(journal.failures).toEqual([{ target: "t1", postIds: [10], reason: "MEDIA_EMPTY" }]),
  }),
  "relay.fatal-ends-run": () => run("relay.fatal-ends-run", { errors: { send: fatal }, error: fatal }),
  "relay.early-unsubscribe": () => run("relay.early-unsubscribe", { options: () => ({ concurrency: 2 }) }),
  "relay.filter-throws": () => run("relay.filter-throws", {
    options: () => ({ filter: (p: Post) => { if (p.id === 11) throw filterError; return true; } }),
    error: filterError,
  }),
  "relay.already-delivered": () => run("relay.already-delivered", {
    journal: new MemoryJournal().seed("t1", [10]),
    expected: { A: "skipped 10 already delivered", Y: "sent 11", D: "done" },
    after: ({ sink }) => expect(sink.delivered).toEqual([[11]]),
  }),
  "relay.no-bytes-needed": () => run("relay.no-bytes-needed", {
    sink: { needsBytes: false, strategy: "forward" },
    expected: { P: "sent 1,2", D: "done" },
    after: ({ source }) => expect(source.downloads).toEqual([]),
  }),
  "relay.album-across-pages": () => run("relay.album-across-pages", {
    expected: { X: "sent 10", P: "sent 1,2", Y: "sent 11", D: "done" },
    after: ({ sink }) => expect(sink.delivered).toEqual([[10], [1, 2], [11]]),
  }),
  "relay.transient-goes-on": () => run("relay.transient-goes-on", {
    options: () => ({ transientRetries: 0 }),
    errors: { send0: new Transient("timed out", "TIMEOUT") },
    expected: { F: "failed 10 TIMEOUT", Y: "sent 11", D: "done" },
    after: ({ journal }) => {
      expect(journal.failures).toEqual([{ target: "t1", postIds: [10], reason: "TIMEOUT" }]);
      expect(journal.commits.map((c) => c.postIds)).toEqual([[11]]);
    },
  }),
  "relay.transient-retried": () => run("relay.transient-retried", {
    options: () => ({ transientBackoffMs: 5 }),
    errors: { send0_1: new Transient("timed out", "TIMEOUT") },
    expected: { X: "sent 10", Y: "sent 11", D: "done" },
    after: ({ journal }) => {
      expect(journal.failures).toEqual([]);
      expect(journal.commits.map((c) => c.postIds)).toEqual([[10], [11]]);
    },
  }),
  "relay.turnstile": () => run("relay.turnstile", {
    options: (i) => ({ beforeSend: () => i.gate! }),
    expected: { X: "sent 10", D: "done" },
  }),
};

describe("relay (marbles/relay.*.txt)", () => {
  it("has a test for every diagram file and a diagram file for every test", () => {
    expect(Object.keys(cases).sort()).toEqual(marbleNames("relay"));
  });
  for (const [name, fn] of Object.entries(cases)) it(name.split(".")[1]!, fn);
});
