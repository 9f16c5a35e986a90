/**
 * The demo's emulated world: two accounts, a protected source channel built from the real Telegram Desktop
 * export in test/fixtures (every post with its file) plus generated albums and large videos, an empty
 * target channel, and flood waits on both accounts.
 */
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { lastValueFrom } from "rxjs";
import { Emulator } from "../emulator/index.js";
import type { MediaSpec, PostSpec } from "../emulator/index.js";
import { openDesktopExport } from "../imports/index.js";
import { batchOf } from "../model/index.js";

export const DEMO_SOURCE = "@tgrelay_demo_src";
export const DEMO_TARGET = "@tgrelay_demo_dst";
export const DEMO_ACCOUNTS = ["alice", "bob"] as const;

/** The export the demo's source channel starts with (shipped with the project, with ORIGIN.md and LICENSE.md). */
export function demoExportPath(): string {
  // dist/cli/demoWorld.js and src/cli/demoWorld.ts are both two folders below the project root.
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  return join(root, "test", "fixtures", "desktop-export", "tg2md-private-channel");
}

export interface DemoWorldOptions {
  /** Generated posts after the export's (default 60). */
  readonly generated?: number;
  /** Size of the large videos (default 24 MB). */
  readonly largeFileBytes?: number;
  /** Per-account bandwidth, so the progress has something to show (default 64 MB/s). */
  readonly bytesPerSecond?: number;
  readonly seed?: number;
}

export interface DemoWorld {
  readonly emulator: Emulator;
  readonly path: string;
  readonly exportPosts: number;
  readonly generatedPosts: number;
}

/** Build (or reopen) the demo world at `path`. */
export async function buildDemoWorld(path: string, opts: DemoWorldOptions = {}): Promise<DemoWorld> {
  const fresh = !existsSync(path);
  const emu = Emulator.open({ path, seed: opts.seed ?? 2026 });
  let exportPosts = 0;
  let generatedPosts = 0;
  if (fresh) {
    emu.addAccount({ name: "alice", dc: 2, premium: true });
    emu.addAccount({ name: "bob", dc: 4, premium: true });
    emu.createChat({ title: "tgrelay demo: protected source", username: DEMO_SOURCE.slice(1), noforwards: true, owner: "alice", members: ["bob"] });
    emu.createChat({ title: "tgrelay demo: copy", username: DEMO_TARGET.slice(1), owner: "alice", admins: ["bob"] });
    exportPosts = await publishExport(emu, DEMO_SOURCE, demoExportPath());
    generatedPosts = emu.generate(DEMO_SOURCE, {
      posts: opts.generated ?? 60,
      seed: opts.seed ?? 2026,
      mix: { text: 3, photo: 4, video: 3, document: 2, audio: 1, voice: 1, animation: 1, sticker: 1, videoNote: 1 },
      albums: true,
      albumShare: 0.5,
      protectedShare: 1,
      replyShare: 0.1,
      largeFileBytes: opts.largeFileBytes ?? 24 * 2 ** 20,
      largeFileShare: 0.08,
    }).length;
  }
  // Faults live in the running emulator, not in the file: set them on every open.
  emu.faults.floodWait({ account: "bob", method: "messages.SendMultiMedia", seconds: 3, every: 3, times: 2 });
  emu.faults.floodWait({ account: "alice", method: "messages.SendMedia", seconds: 2, every: 4, times: 2 });
  emu.faults.floodWait({ account: "bob", method: "messages.SendMedia", seconds: 2, every: 6, times: 1 });
  emu.faults.floodWait({ account: "bob", method: "upload.GetFile", seconds: 1, every: 40, times: 1 });
  for (const a of DEMO_ACCOUNTS) emu.faults.bandwidth(a, opts.bytesPerSecond ?? 64 * 2 ** 20);
  return { emulator: emu, path, exportPosts, generatedPosts };
}

/**
 * Post every post of a Telegram Desktop export into an emulated chat, in order, with its file's bytes,
 * its entities, album and reply structure (reply ids mapped to the new ids).
 * @returns the number of posts published
 */
export async function publishExport(emu: Emulator, chat: string, exportPath: string): Promise<number> {
  const source = await openDesktopExport(`export:${exportPath}`);
  const newId = new Map<number, number>();
  let n = 0;
  for (const post of source.posts) {
    let media: MediaSpec | undefined;
    if (post.media) {
      const loaded = await lastValueFrom(source.download(batchOf([post], 0)));
      const file = loaded.files[0];
      const bytes = file ? (file.data.kind === "memory" ? file.data.bytes : await readFile(file.data.path)) : undefined;
      await loaded.release();
      const m = post.media;
      media = {
        kind: m.kind,
        ...(bytes ? { bytes } : { size: m.size }),
        ...(m.fileName !== undefined ? { fileName: m.fileName } : {}),
        ...(m.mimeType !== undefined ? { mimeType: m.mimeType } : {}),
        ...(m.width !== undefined ? { width: m.width } : {}),
        ...(m.height !== undefined ? { height: m.height } : {}),
        ...(m.duration !== undefined ? { duration: m.duration } : {}),
        ...(m.performer !== undefined ? { performer: m.performer } : {}),
        ...(m.title !== undefined ? { title: m.title } : {}),
        ...(m.waveform !== undefined ? { waveform: m.waveform } : {}),
        ...(m.stickerAlt !== undefined ? { stickerAlt: m.stickerAlt } : {}),
        ...(m.poll !== undefined ? { poll: m.poll } : {}),
      };
    }
    const reply = post.replyTo !== undefined ? newId.get(post.replyTo) : undefined;
    const spec: PostSpec = {
      text: post.text,
      entities: post.entities,
      date: post.date,
      noforwards: true,
      ...(media ? { media } : {}),
      ...(post.groupedId !== undefined ? { groupedId: post.groupedId } : {}),
      ...(reply !== undefined ? { replyTo: reply } : {}),
    };
    newId.set(post.id, emu.addPost(chat, spec));
    n++;
  }
  return n;
}
