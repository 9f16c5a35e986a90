/**
 * Download benchmark: one 200 MB file at 100 ms latency per request, through the adapter (parallel aligned
 * 512 KB GetFile ranges to a temp file) against GramJS's own downloadMedia (sequential), in the same run and
 * the same emulated world. Writes test/bench/results/download.json.
 *
 * Run: `npm run bench -- download`, or `node --import tsx test/bench/download.ts [--mb 200] [--latency 100]`.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { firstValueFrom } from "rxjs";
import { Api } from "telegram";
import { Emulator } from "../../src/emulator/index.js";
import { openAccount } from "../../src/telegram/account.js";
import { batchOf } from "../../src/model/batch.js";
import { postFromMessage } from "../../src/telegram/convert.js";
import { messagesByIdRequest } from "../../src/telegram/requests.js";

export interface DownloadBenchResult {
  readonly fileBytes: number;
  readonly latencyMs: number;
  readonly adapterMs: number;
  readonly gramjsMs: number;
  readonly speedupVsGramjs: number;
  readonly adapterMBps: number;
  readonly gramjsMBps: number;
  readonly identical: boolean;
  readonly getFileRequests: { readonly adapter: number; readonly gramjs: number };
  readonly at: string;
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

/** Run the benchmark; returns and writes the result. */
export async function run(opts: { mb?: number; latencyMs?: number } = {}): Promise<DownloadBenchResult> {
  const mb = opts.mb ?? arg("mb", 200);
  const latencyMs = opts.latencyMs ?? arg("latency", 100);
  const size = mb * 1024 * 1024;
  const emu = Emulator.open({ seed: 11 });
  emu.addAccount({ name: "bench" });
  emu.createChat({ title: "big", username: "bigfiles", owner: "bench" });
  const id = emu.addPost("@bigfiles", { text: "big", media: { kind: "document", size, fileName: "big.bin", mimeType: "application/octet-stream", seed: 5 } });
  emu.faults.latencyMs(latencyMs);
  const tmp = await mkdtemp(join(tmpdir(), "tgrelay-bench-"));
  try {
    const client = emu.client("bench");
    const acct = await openAccount(client, { name: "bench", tmpDir: tmp, historyPace: { intervalMs: 0 }, callTimeoutMs: 600_000 });
    const chat = await acct.resolveChat("@bigfiles");
    const res = (await client.invoke(messagesByIdRequest(chat.peer, [id]))) as Api.messages.ChannelMessages;
    const msg = res.messages.find((m): m is Api.Message => m instanceof Api.Message)!;
    const source = acct.source(chat);

    const before1 = emu.requestCount("upload.GetFile");
    const t0 = performance.now();
    const loaded = await firstValueFrom(source.download(batchOf([postFromMessage(msg, chat.chatId, false)], 0)));
    const adapterMs = performance.now() - t0;
    const adapterRequests = emu.requestCount("upload.GetFile") - before1;
    const f = loaded.files[0]!;
    const ours = f.data.kind === "file" ? await readFile(f.data.path) : f.data.bytes;
    const oursHash = createHash("sha256").update(ours).digest("hex");
    await loaded.release();

    const before2 = emu.requestCount("upload.GetFile");
    const t1 = performance.now();
    const theirs = (await client.downloadMedia(msg.media!, {})) as Buffer;
    const gramjsMs = performance.now() - t1;
    const gramjsRequests = emu.requestCount("upload.GetFile") - before2;
    const theirsHash = createHash("sha256").update(theirs).digest("hex");

    const result: DownloadBenchResult = {
      fileBytes: size,
      latencyMs,
      adapterMs: Math.round(adapterMs),
      gramjsMs: Math.round(gramjsMs),
      speedupVsGramjs: Math.round((gramjsMs / adapterMs) * 100) / 100,
      adapterMBps: Math.round((mb / (adapterMs / 1000)) * 10) / 10,
      gramjsMBps: Math.round((mb / (gramjsMs / 1000)) * 10) / 10,
      identical: oursHash === theirsHash && ours.length === size,
      getFileRequests: { adapter: adapterRequests, gramjs: gramjsRequests },
      at: new Date().toISOString(),
    };
    const out = join(dirname(fileURLToPath(import.meta.url)), "results", "download.json");
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify(result, null, 2) + "\n");
    return result;
  } finally {
    emu.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  run().then(
    (r) => {
      console.log(JSON.stringify(r, null, 2));
      process.exit(0);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
