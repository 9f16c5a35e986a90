// Throughput figures of the emulator (not a test: run with `node --import tsx test/emulator/throughput.ts`).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bigInt from "big-integer";
import { Api } from "telegram";
import { CustomFile } from "telegram/client/uploads.js";
import { Emulator } from "../../src/emulator/index.js";

const MB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), "tgrelay-emu-bench-"));
const emu = Emulator.open({ path: join(dir, "world.sqlite"), seed: 1 });
emu.addAccount({ name: "alice" });
const src = emu.createChat({ title: "Big", username: "big_chan", owner: "alice" });
const id = emu.addPost(src.id, { media: { kind: "video", size: 200 * MB } });
const client = emu.client("alice");
const [msg] = await client.getMessages("big_chan", { ids: [id] });
const media = (msg as Api.Message).media!;

async function download(label: string, bytes: number) {
  const t = performance.now();
  let n = 0;
  for await (const chunk of client.iterDownload({ file: media, requestSize: 512 * 1024, limit: Math.ceil(bytes / (512 * 1024)) })) n += chunk.length;
  const s = (performance.now() - t) / 1000;
  console.log(`${label}: ${(n / MB).toFixed(0)} MB in ${s.toFixed(2)} s = ${(n / MB / s).toFixed(1)} MB/s`);
}
await download("generated 200 MB video, iterDownload 512 KiB, no limit", 200 * MB);
emu.faults.bandwidth("alice", 20 * MB);
await download("same with bandwidth 20 MB/s", 40 * MB);
emu.faults.clear();

const up = Buffer.alloc(100 * MB, 7);
let t = performance.now();
const file = await client.uploadFile({ file: new CustomFile("up.bin", up.length, "", up), workers: 8, maxBufferSize: 2 ** 31 - 1 });
const peer = await client.getInputEntity("big_chan");
await client.invoke(new Api.messages.SendMedia({ peer, message: "", media: new Api.InputMediaUploadedDocument({ file, mimeType: "application/octet-stream", attributes: [], forceFile: true }), randomId: bigInt(1) }));
let s = (performance.now() - t) / 1000;
console.log(`upload 100 MB into the world file (8 workers) + SendMedia: ${s.toFixed(2)} s = ${(100 / s).toFixed(1)} MB/s; world file ${(statSync(join(dir, "world.sqlite")).size / MB).toFixed(0)} MB`);
const [sent] = await client.getMessages("big_chan", { limit: 1 });
t = performance.now();
const back = (await client.downloadMedia(sent as Api.Message, {})) as Buffer;
s = (performance.now() - t) / 1000;
console.log(`download the stored 100 MB back (downloadMedia, 256 KiB parts): ${s.toFixed(2)} s, equal: ${back.equals(up)}`);
emu.close();
rmSync(dir, { recursive: true, force: true });
