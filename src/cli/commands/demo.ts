/** `tgrelay demo`: see demo.ts in src/cli. */
import type { CommandContext } from "./index.js";

/** Load the demo lazily (it pulls in the emulator). */
export async function runDemo(ctx: CommandContext): Promise<number> {
  return (await import("../demo.js")).runDemo(ctx);
}
