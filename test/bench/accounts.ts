/**
 * `npm run bench -- accounts`: throughput of one job on 1, 2 and 4 accounts in strict order, through the
 * emulator (real GramJS clients, the real adapter) with a bandwidth limit per account on GetFile and
 * SaveFilePart. Every run's target is checked against the source (no gap, no duplicate, source order).
 * Writes test/bench/results/accounts.json; scaling2/scaling4 = throughput over 1 account's (goal: >= 3.4).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { lastValueFrom, tap } from "rxjs";
import { compareChats, Emulator, formatDifferences } from "../../src/emulator/index.js";
import { MemoryJournal } from "../../src/journal/index.js";
import { schedule } from "../../src/pipeline/scheduler.js";
import { openAccount } from "../../src/telegram/account.js";

const POSTS = Number(process.env.BENCH_POSTS ?? 120);
const BYTES_PER_SECOND = Number(process.env.BENCH_BPS ?? 1_000_000);
const MEDIA_BYTES = 125_000;
const NAMES = ["a", "b", "c", "d"];
// Small chunks keep the uploads that follow a turn short; several per account overlap the transfers.
// Defaults are the scheduler's own (chunks of 1 id, 6 per account); BENCH_CHUNK / BENCH_AHEAD try others.
const CHUNK = process.env.BENCH_CHUNK === undefined ? undefined : Number(process.env.BENCH_CHUNK);
const AHEAD = process.env.BENCH_AHEAD === undefined ? undefined : Number(process.env.BENCH_AHEAD);

interface RunResult {
  readonly accounts: number;
  readonly posts: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly postsPerSecond: number;
  readonly bytesPerSecond: number;
  readonly orderVerified: boolean;
  readonly differences: number;
  readonly chunksByAccount: Record<string, number>;
  /** GetHistory requests of all accounts together (small chunks are served from each account's last pages). */
  readonly getHistoryCalls: number;
}

function world(): Emulator {
  const emu = Emulator.open({ seed: 3 });
  for (const name of NAMES) emu.addAccount({ name, dc: 2 });
  emu.createChat({ title: "Bench source", username: "bench_source", owner: "a", members: NAMES.slice(1) });
  emu.createChat({ title: "Bench target", username: "bench_target", owner: "a", admins: NAMES.slice(1) });
  let album = 0;
  for (let i = 0; i < POSTS; ) {
    // Every fifth slot is an album of 3, the rest single photos and documents.
    if (i % 5 === 4 && i + 3 <= POSTS) {
      album++;
      for (let k = 0; k < 3; k++, i++) {
        emu.addPost("@bench_source", { text: `album ${album} item ${k}`, groupedId: String(9000 + album), media: { kind: "photo", size: MEDIA_BYTES, seed: i } });
      }
    } else {
      const kind = i % 2 === 0 ? "photo" : "document";
      emu.addPost("@bench_source", {
        text: `post ${i}`,
        media: kind === "photo" ? { kind, size: MEDIA_BYTES, seed: i } : { kind, size: MEDIA_BYTES, seed: i, fileName: `f${i}.bin`, mimeType: "application/octet-stream" },
      });
      i++;
    }
  }
  return emu;
}

async function runWith(n: number): Promise<RunResult> {
  const emu = world();
  const names = NAMES.slice(0, n);
  for (const name of names) emu.faults.bandwidth(name, BYTES_PER_SECOND);
  const accounts = [];
  let sourceKey = "";
  let targetKey = "";
  for (const name of names) {
    const acct = await openAccount(emu.client(name), { name, historyPace: { intervalMs: 0 } });
    const source = acct.source(await acct.resolveChat("@bench_source"));
    const sink = acct.sink(await acct.resolveChat("@bench_target"), { mode: "reupload" });
    sourceKey = source.chatId;
    targetKey = sink.target;
    accounts.push({ name, source, sinks: [sink] });
  }
  const expected = emu.inspect("@bench_source");
  const toId = Math.max(...expected.map((p) => p.id));
  const journal = new MemoryJournal({ source: sourceKey, targets: [targetKey], options: { mode: "reupload" } });
  const chunks: Record<string, number> = {};
  const started = Date.now();
  let bytes = 0;
  await lastValueFrom(
    schedule({ accounts, journal, range: { toId }, order: "strict", ...(CHUNK === undefined ? {} : { chunkSize: CHUNK }), ...(AHEAD === undefined ? {} : { chunksPerAccount: AHEAD }), relay: { concurrency: 4 } }).pipe(
      tap((e) => {
        if (e.type === "chunk" && e.phase === "done") chunks[e.account] = (chunks[e.account] ?? 0) + 1;
        if (e.type === "failed") throw new Error(`post(s) ${e.postIds.join(",")} failed: ${e.reason}`);
        bytes = e.totals.bytesDownloaded;
      }),
    ),
  );
  const seconds = (Date.now() - started) / 1000;
  const actual = emu.inspect("@bench_target");
  const diffs = compareChats(expected, actual).filter((d) => d.kind === "missing" || d.kind === "extra" || d.kind === "reordered");
  if (diffs.length > 0) console.error(formatDifferences(diffs.slice(0, 10)));
  const getHistoryCalls = emu.requestCount("messages.GetHistory");
  emu.close();
  return {
    accounts: n, posts: actual.length, bytes, seconds,
    postsPerSecond: actual.length / seconds, bytesPerSecond: bytes / seconds,
    orderVerified: diffs.length === 0 && actual.length === expected.length, differences: diffs.length,
    chunksByAccount: chunks, getHistoryCalls,
  };
}

const runs: RunResult[] = [];
for (const n of [1, 2, 4]) {
  const r = await runWith(n);
  runs.push(r);
  console.log(
    `${n} account(s): ${r.posts} posts, ${(r.bytes / 1e6).toFixed(1)} MB in ${r.seconds.toFixed(2)} s = ` +
      `${r.postsPerSecond.toFixed(1)} posts/s, order ${r.orderVerified ? "verified" : "BROKEN"}, chunks ${JSON.stringify(r.chunksByAccount)}, ` +
      `GetHistory ${r.getHistoryCalls}`,
  );
}
const one = runs[0]!.postsPerSecond;
const result = {
  benchmark: "accounts",
  order: "strict",
  mode: "reupload",
  posts: POSTS,
  mediaBytes: MEDIA_BYTES,
  bandwidthPerAccountBytesPerSecond: BYTES_PER_SECOND,
  chunkSize: CHUNK ?? "default (1)",
  chunksPerAccount: AHEAD ?? "default (6)",
  cpus: (await import("node:os")).cpus().length,
  loadAverage: (await import("node:os")).loadavg()[0],
  runs,
  scaling2: runs[1]!.postsPerSecond / one,
  scaling4: runs[2]!.postsPerSecond / one,
  goalScaling4: 3.4,
  orderVerified: runs.every((r) => r.orderVerified),
};
const out = join(dirname(fileURLToPath(import.meta.url)), "results", "accounts.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
console.log(`scaling2 ${result.scaling2.toFixed(2)}, scaling4 ${result.scaling4.toFixed(2)} (goal 3.4) -> ${out}`);
process.exitCode = result.orderVerified ? 0 : 1;
