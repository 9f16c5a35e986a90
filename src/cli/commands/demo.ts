/** `tgrelay demo`: see demo.ts in src/cli. */
import type { CommandContext } from "./index.js";

export async function runDemo(ctx: CommandContext): Promise<number> {
  return (await import("../demo.js")).runDemo(ctx);
}
