/** `tgrelay demo` (being wired: needs the emulator's world builder). */
import { EXIT } from "./io.js";
import type { CommandContext } from "./commands/index.js";

/** Run the demo; returns the exit code. */
export async function runDemo(ctx: CommandContext): Promise<number> {
  ctx.io.stderr.write("tgrelay: the demo needs the emulator, which this build does not have yet\n");
  return EXIT.failed;
}
