// Public exports of src/cli: the command line as a function, and the pieces a program may reuse.
export { main } from "./main.js";
export { EXIT, processIo, type CliIo } from "./io.js";
export { OPTIONS, envOf, keyOf, type CommandName, type OptionDef } from "./options.js";
export {
  parseChatRef as parseChatArgument, parseSize, parseDuration, parseDate, parseRegex, type ChatRef as ChatArgument,
} from "./values.js";
export { Tally, formatSummary, type RunSummary, type RunEvent } from "./summary.js";
export { buildDemoWorld, publishExport, type DemoWorld } from "./demoWorld.js";
