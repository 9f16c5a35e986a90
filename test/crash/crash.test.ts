// Issue 5, done-when: the CLI copying a 500-post channel into a persisted emulator world is killed with
// SIGKILL at 20+ random moments and restarted each time; at the end the target equals the source with no
// duplicates and no gaps. A SIGINT run exits 130 with the batch in progress sent and committed.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { compareChats, Emulator, formatDifferences } from "../../src/emulator/index.js";
import { listJobs, SqliteJournal } from "../../src/journal/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tgrelay-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const POSTS = 500;
const KILLS = 22;
const world = join(dir, "world.db");
const journal = join(dir, "journal.db");
const SOURCE = "@crash_source";
const TARGET = "@crash_target";

/** Deterministic PRNG, so a failing run can be replayed with the same kill moments. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeWorld(): void {
  const emu = Emulator.open({ path: world, seed: 11 });
  emu.addAccount({ name: "a", dc: 2 });
  emu.addAccount({ name: "b", dc: 2 });
  emu.createChat({ title: "Crash source", username: SOURCE.slice(1), owner: "a", members: ["b"] });
  emu.createChat({ title: "Crash target", username: TARGET.slice(1), owner: "a", admins: ["b"] });
  emu.generate(SOURCE, { posts: POSTS, seed: 5, mix: { text: 4, photo: 3, document: 2, video: 1 }, albumShare: 0.3, replyShare: 0.1 });
  emu.close();
}

interface Child {
  readonly proc: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves at the first "sent" event on stdout (never, if none comes). */
  readonly firstSent: Promise<void>;
  /** Resolves once `n` "sent" events came (never, if they do not). */
  readonly sent: (n: number) => Promise<void>;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

function copy(): Child {
  const args = [
    "--import", "tsx", CLI, "copy", "--emulator", world, "--accounts", "a,b", "--from", SOURCE, "--to", TARGET,
    "--journal", journal, "--json", "--mode", "reupload", "--delay", "20ms",
  ];
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  const count = () => out.split('"type":"sent"').length - 1;
  const sent = (n: number) => new Promise<void>((resolve) => (count() >= n ? resolve() : waiting.push({ n, resolve })));
  const firstSent = sent(1);
  proc.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    const c = count();
    for (const w of waiting.splice(0)) (c >= w.n ? w.resolve : () => waiting.push(w))();
  });
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { proc, exit, firstSent, sent, stdout: () => out, stderr: () => err };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function inspectBoth() {
  const emu = Emulator.open({ path: world });
  try {
    return { source: emu.inspect(SOURCE), target: emu.inspect(TARGET) };
  } finally {
    emu.close();
  }
}

/** Differences that mean a duplicate or a gap (content fidelity is the adapter's own test). */
// --delay (not part of the job id) slows sending so that 20+ kills land before the job is done.
const ORDER_KINDS = new Set(["missing", "extra", "reordered"]);

describe("crash: SIGKILL at random moments, then resume", () => {
  it(`copies ${POSTS} posts exactly once through ${KILLS} kills and a SIGINT`, async () => {
    makeWorld();
    const random = rng(2026);
    let kills = 0;
    let runs = 0;
    let finished = false;
    let duplicates = 0;
    while (kills < KILLS && !finished) {
      runs++;
      const child = copy();
      // Half the kills land at any moment (startup, reading), half after 1..30 sends (so they spread over
      // the job), each a few milliseconds into whatever is going on then.
      const atAnyMoment = random() < 0.5;
      const wait = atAnyMoment ? sleep(200 + random() * 1200) : child.sent(1 + Math.floor(random() * 30)).then(() => sleep(random() * 30));
      const first = await Promise.race([wait.then(() => "kill" as const), child.exit.then(() => "exited" as const)]);
      if (first === "kill") {
        child.proc.kill("SIGKILL");
        const r = await child.exit;
        if (r.signal === "SIGKILL") kills++;
        else finished = r.code === 0;
      } else {
        const r = await child.exit;
        expect(r.code, child.stderr()).toBe(0);
        finished = true;
      }
      // Resends of batches that had landed before a kill, recognised by their random ids.
      duplicates += child.stdout().split('"duplicate":true').length - 1;
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    const afterKills = inspectBoth().target.length;

    // A SIGINT while sending: graceful stop, exit 130, the batch in progress sent and committed.
    const inFlightBefore = (() => {
      const [job] = listJobs(journal);
      if (job === undefined) return [];
      const j = SqliteJournal.openById(journal, job.jobId)!;
      try {
        return j.inFlight();
      } finally {
        j.close();
      }
    })();
    const stopped = copy();
    const stoppedWhat = await Promise.race([stopped.firstSent.then(() => "sending" as const), stopped.exit.then(() => "exited" as const)]);
    expect(stoppedWhat, "the SIGINT run had posts left to send").toBe("sending");
    {
      stopped.proc.kill("SIGINT");
      const r = await stopped.exit;
      expect(r.code, stopped.stderr()).toBe(130);
      const partial = inspectBoth();
      // No gap and no duplicate so far: the target is a prefix of the source, albums whole.
      const prefix = partial.source.slice(0, partial.target.length);
      const diffs = compareChats(prefix, partial.target).filter((d) => ORDER_KINDS.has(d.kind));
      expect(diffs, formatDifferences(diffs)).toEqual([]);
      const last = partial.target.at(-1);
      const next = partial.source[partial.target.length];
      if (last?.groupedId !== undefined && next !== undefined) expect(next.groupedId).not.toBe(last.groupedId);
      // Everything that landed is committed: the run left nothing in flight (rows of killed runs whose
      // chunks it did not reach may remain, unchanged, for the next run).
      const [job] = listJobs(journal);
      const j = SqliteJournal.openById(journal, job!.jobId)!;
      for (const f of j.inFlight()) expect(inFlightBefore, `post ${f.postId} left in flight by the SIGINT run`).toContainEqual(f);
      expect(j.status().targets[0]!.delivered + j.status().targets[0]!.skipped).toBe(partial.target.length);
      j.close();
    }

    // The last run completes the job.
    const last = copy();
    const r = await last.exit;
    expect(r.code, last.stderr()).toBe(0);

    const { source, target } = inspectBoth();
    const diffs = compareChats(source, target).filter((d) => ORDER_KINDS.has(d.kind));
    expect(diffs, formatDifferences(diffs)).toEqual([]);
    expect(target.length).toBe(source.length);
    expect(source.length).toBe(POSTS);

    const [job] = listJobs(journal);
    expect(job!.targets[0]).toMatchObject({ inFlight: 0, failed: 0 });
    expect(job!.targets[0]!.delivered + job!.targets[0]!.skipped).toBe(POSTS);

    // A re-run of the finished job sends nothing (field fault 23).
    const again = copy();
    expect((await again.exit).code).toBe(0);
    expect(again.stdout()).not.toContain('"type":"sent"');
    expect(inspectBoth().target.length).toBe(POSTS);
    console.log(`crash test: ${runs} runs, ${kills} SIGKILLs (${afterKills}/${POSTS} posts in the target after them), ${duplicates} resends recognised as duplicates`);
  }, 170_000);
});
