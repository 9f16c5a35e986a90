// A small emulated world for CLI tests: alice and bob, a source channel with albums (some protected), an empty target.
import { join } from "node:path";
import { Emulator } from "../../src/emulator/index.js";
import { tempDir } from "./helpers.js";

export interface TestWorld {
  readonly dir: string;
  readonly path: string;
  readonly sourcePosts: number;
}

/** Build the world file and close it (the CLI opens it by path). */
export function makeWorld(posts = 24, opts: { protectedShare?: number; largeFileBytes?: number } = {}): TestWorld {
  const dir = tempDir("tgrelay-cli-world-");
  const path = join(dir, "world.db");
  const emu = Emulator.open({ path, seed: 11 });
  emu.addAccount({ name: "alice", premium: true });
  emu.addAccount({ name: "bob", dc: 4, premium: true });
  emu.createChat({ title: "Source", username: "cli_source", owner: "alice", members: ["bob"] });
  emu.createChat({ title: "Target", username: "cli_target", owner: "alice", admins: ["bob"] });
  emu.createChat({ title: "Other", username: "cli_other", owner: "alice", admins: ["bob"] });
  emu.generate("@cli_source", {
    posts, seed: 5, mix: { text: 2, photo: 4, video: 2, document: 1 }, albums: true, albumShare: 0.5,
    protectedShare: opts.protectedShare ?? 0.3, replyShare: 0,
    ...(opts.largeFileBytes ? { largeFileBytes: opts.largeFileBytes, largeFileShare: 0.3 } : {}),
  });
  const sourcePosts = emu.inspect("@cli_source").length;
  emu.close();
  return { dir, path, sourcePosts };
}

/** Open the world to look at it (close it after). */
export function openWorld(w: TestWorld): Emulator {
  return Emulator.open({ path: w.path });
}
