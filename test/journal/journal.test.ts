import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { batchOf, UsageError, type Post } from "../../src/model/index.js";
import type { Delivery } from "../../src/ports.js";
import { jobIdOf, listJobs, MemoryJournal, SqliteJournal, type JobJournal, type JobSpec } from "../../src/journal/index.js";

const dir = mkdtempSync(join(tmpdir(), "tgrelay-journal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec: JobSpec = { source: "-1001", targets: ["-1002", "-1003"], options: { strategy: "copy" } };
const post = (id: number, groupedId?: string): Post => ({
  chatId: "-1001", id, date: 1_700_000_000 + id, text: `p${id}`, entities: [], noforwards: false, linkPreview: false,
  ...(groupedId === undefined ? {} : { groupedId }),
});
const delivery = (target: string, pairs: Array<[number, number[]]>, extra: Partial<Delivery> = {}): Delivery => ({
  target, strategy: "copy", ids: new Map(pairs), ...extra,
});

let n = 0;
const makers: Record<string, () => JobJournal> = {
  memory: () => new MemoryJournal(spec),
  sqlite: () => SqliteJournal.open(join(dir, `j${n++}.db`), spec),
};

describe("jobIdOf", () => {
  it("is the same for the same job whatever the target order and undefined options", () => {
    expect(jobIdOf({ source: "a", targets: ["x", "y"], options: { s: "copy", f: undefined } })).toBe(
      jobIdOf({ source: "a", targets: ["y", "x"], options: { s: "copy" } }),
    );
  });
  it("changes with the source, the targets and output options", () => {
    const base = jobIdOf({ source: "a", targets: ["x"], options: { s: "copy" } });
    expect(jobIdOf({ source: "b", targets: ["x"], options: { s: "copy" } })).not.toBe(base);
    expect(jobIdOf({ source: "a", targets: ["x", "z"], options: { s: "copy" } })).not.toBe(base);
    expect(jobIdOf({ source: "a", targets: ["x"], options: { s: "reupload" } })).not.toBe(base);
    expect(jobIdOf({ source: "a", targets: ["x"], options: { s: "copy", nested: { b: 1, a: 2 } } })).toBe(
      jobIdOf({ source: "a", targets: ["x"], options: { s: "copy", nested: { a: 2, b: 1 } } }),
    );
    expect(base).toMatch(/^[0-9a-f]{16}$/);
  });
});

for (const [name, make] of Object.entries(makers)) {
  describe(`${name} journal`, () => {
    it("marks a post delivered only after commit, per target, with its target ids", () => {
      const j = make();
      const album = batchOf([post(5, "g"), post(6, "g")], 0);
      j.begin("-1002", album, "alice");
      expect(j.isDelivered("-1002", 5)).toBe(false);
      expect(j.inFlightAccount("-1002", 5)).toBe("alice");
      expect(j.inFlightAccount("-1002", 6)).toBe("alice");
      j.commit(album, delivery("-1002", [[5, [100]], [6, [101]]]), "alice");
      expect(j.isDelivered("-1002", 5)).toBe(true);
      expect(j.isDelivered("-1002", 6)).toBe(true);
      expect(j.isDelivered("-1003", 5)).toBe(false);
      expect(j.targetIdOf("-1002", 6)).toBe(101);
      expect(j.targetIdsOf("-1002", 5)).toEqual([100]);
      expect(j.targetIdOf("-1003", 6)).toBeUndefined();
      expect(j.inFlight()).toEqual([]);
      j.close();
    });

    it("keeps one in-flight row per post whatever the retries, counting attempts", () => {
      const j = make();
      const b = batchOf([post(7)], 3);
      j.begin("-1002", b, "alice");
      j.begin("-1002", b, "alice");
      j.begin("-1002", b, "bob");
      expect(j.inFlight()).toEqual([{ target: "-1002", postId: 7, account: "bob", attempt: 3, seq: 3 }]);
      j.close();
    });

    it("abandons begun sends that did not post, and only those", () => {
      const j = make();
      j.begin("-1002", batchOf([post(1)], 0), "alice");
      j.begin("-1002", batchOf([post(2)], 1), "alice");
      j.abandon("-1002", [2]);
      expect(j.inFlight().map((f) => f.postId)).toEqual([1]);
      j.close();
    });

    it("records failures as one row per (target, post) with the attempt count and the account", () => {
      const j = make();
      const b = batchOf([post(8)], 0);
      for (let i = 0; i < 5; i++) {
        j.begin("-1003", b, "bob");
        j.fail("-1003", [8], `MEDIA_EMPTY ${i}`);
      }
      expect(j.failures()).toMatchObject([{ target: "-1003", postId: 8, reason: "MEDIA_EMPTY 4", attempts: 5, account: "bob" }]);
      expect(j.inFlight()).toEqual([]);
      j.fail("-1002", [8, 2], "x");
      expect(j.failedPostIds()).toEqual([2, 8]);
      // A later success clears the failure: retry only retries what still failed.
      j.commit(b, delivery("-1003", [[8, [300]]]), "bob");
      expect(j.failures().map((f) => [f.target, f.postId])).toEqual([["-1002", 2], ["-1002", 8]]);
      j.close();
    });

    it("counts skipped posts as done without a target id", () => {
      const j = make();
      const b = batchOf([post(9, "h"), post(10, "h")], 0);
      j.commit(b, delivery("-1002", [[9, [400]]], { skipped: [{ postId: 10, reason: "protected" }] }), "alice");
      expect(j.isDelivered("-1002", 10)).toBe(true);
      expect(j.targetIdOf("-1002", 10)).toBeUndefined();
      const st = j.status().targets.find((t) => t.target === "-1002")!;
      expect(st).toMatchObject({ delivered: 1, skipped: 1, firstId: 9, lastId: 10, inFlight: 0, failed: 0 });
      j.close();
    });

    it("reports status per target with totals", () => {
      const j = make();
      j.setTotal(42);
      j.commit(batchOf([post(1)], 0), delivery("-1002", [[1, [11]]]), "a");
      j.commit(batchOf([post(3)], 1), delivery("-1002", [[3, [12]]]), "a");
      j.begin("-1003", batchOf([post(1)], 0), "a");
      j.fail("-1003", [3], "boom");
      const s = j.status();
      expect(s.jobId).toBe(jobIdOf(spec));
      expect(s.total).toBe(42);
      expect(s.targets).toEqual([
        { target: "-1002", delivered: 2, skipped: 0, inFlight: 0, failed: 0, firstId: 1, lastId: 3 },
        { target: "-1003", delivered: 0, skipped: 0, inFlight: 1, failed: 1 },
      ]);
      j.close();
    });
  });
}

describe("SqliteJournal on disk", () => {
  it("resumes from the file: delivered, in flight and failures survive a reopen", () => {
    const path = join(dir, "reopen.db");
    const a = SqliteJournal.open(path, spec);
    a.commit(batchOf([post(1)], 0), delivery("-1002", [[1, [11]]]), "alice");
    a.begin("-1002", batchOf([post(2)], 1), "bob");
    a.fail("-1003", [1], "CHAT_WRITE_FORBIDDEN");
    a.close();
    const b = SqliteJournal.open(path, spec);
    expect(b.isDelivered("-1002", 1)).toBe(true);
    expect(b.targetIdOf("-1002", 1)).toBe(11);
    expect(b.inFlightAccount("-1002", 2)).toBe("bob");
    expect(b.failures()).toMatchObject([{ target: "-1003", postId: 1, attempts: 1 }]);
    b.close();
    const byId = SqliteJournal.openById(path, jobIdOf(spec))!;
    expect(byId.spec).toEqual(spec);
    expect(byId.isDelivered("-1002", 1)).toBe(true);
    byId.close();
    expect(SqliteJournal.openById(path, "0000000000000000")).toBeUndefined();
  });

  it("keeps jobs apart in one file and lists them", () => {
    const path = join(dir, "multi.db");
    const other: JobSpec = { source: "-1001", targets: ["-1002"], options: { strategy: "reupload" } };
    const a = SqliteJournal.open(path, spec);
    const b = SqliteJournal.open(path, other);
    a.commit(batchOf([post(1)], 0), delivery("-1002", [[1, [11]]]), "alice");
    expect(b.isDelivered("-1002", 1)).toBe(false);
    a.close();
    b.close();
    expect(listJobs(path).map((s) => s.jobId).sort()).toEqual([jobIdOf(spec), jobIdOf(other)].sort());
    expect(listJobs(join(dir, "absent.db"))).toEqual([]);
  });

  it("refuses a file that is not SQLite with a UsageError naming it, and leaves the file as it was", () => {
    const path = join(dir, "notdb.db");
    const text = "these are notes, not a database\n".repeat(10);
    writeFileSync(path, text);
    for (const open of [() => SqliteJournal.open(path, spec), () => SqliteJournal.openById(path, "x"), () => listJobs(path)]) {
      let thrown: unknown;
      try {
        open();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(UsageError);
      expect((thrown as Error).message).toBe(`${path} is not a tgrelay journal (not an SQLite database)`);
    }
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  it("shares what a target holds between jobs that differ only in their other targets", () => {
    const path = join(dir, "lanes.db");
    const one = SqliteJournal.open(path, { source: "-1001", targets: ["-1002"] });
    one.commit(batchOf([post(1)], 0), delivery("-1002", [[1, [11]]]), "alice");
    one.fail("-1002", [2], "MEDIA_EMPTY");
    one.close();
    // Adding a target later is a new job, but the first target's copies are known: only the new one gets posts.
    const two = SqliteJournal.open(path, { source: "-1001", targets: ["-1002", "dir:/x"] });
    expect(two.isDelivered("-1002", 1)).toBe(true);
    expect(two.targetIdOf("-1002", 1)).toBe(11);
    expect(two.isDelivered("dir:/x", 1)).toBe(false);
    expect(two.failedPostIds()).toEqual([2]);
    expect(two.status().targets.find((t) => t.target === "-1002")?.delivered).toBe(1);
    two.close();
    // Other output options are another lane.
    const three = SqliteJournal.open(path, { source: "-1001", targets: ["-1002"], options: { mode: "forward" } });
    expect(three.isDelivered("-1002", 1)).toBe(false);
    three.close();
  });

  it("a commit that returned survives SIGKILL of the writing process", () => {
    const path = join(dir, "killed.db");
    const script = `
      import { SqliteJournal } from ${JSON.stringify(new URL("../../src/journal/index.ts", import.meta.url).pathname)};
      const j = SqliteJournal.open(${JSON.stringify(path)}, ${JSON.stringify(spec)});
      for (let i = 1; i <= 50; i++) {
        const p = { chatId: "-1001", id: i, date: 0, text: "", entities: [], noforwards: false, linkPreview: false };
        j.commit({ posts: [p], seq: i }, { target: "-1002", strategy: "copy", ids: new Map([[i, [1000 + i]]]) }, "a");
      }
      process.stdout.write("committed\\n");
      process.kill(process.pid, "SIGKILL");
    `;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.signal).toBe("SIGKILL");
    expect(r.stdout).toContain("committed");
    const j = SqliteJournal.open(path, spec);
    for (let i = 1; i <= 50; i++) expect(j.targetIdOf("-1002", i)).toBe(1000 + i);
    j.close();
  });

  it("grows with posts, not with retries", () => {
    const path = join(dir, "size.db");
    const j = SqliteJournal.open(path, spec, { synchronous: "normal" });
    const b = batchOf([post(1)], 0);
    for (let i = 0; i < 2000; i++) {
      j.begin("-1002", b, "a");
      j.fail("-1002", [1], "FLOOD".padEnd(200, "x"));
    }
    j.close();
    const size = statSync(path).size;
    expect(size).toBeLessThan(64 * 1024);
  });
});
