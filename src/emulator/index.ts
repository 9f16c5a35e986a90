// The emulator: Telegram at the TL level behind real GramJS clients, for tests, the demo and benchmarks.
export { Emulator } from "./emulator.js";
export { compareChats, formatDifferences } from "./compare.js";
export type { Faults } from "./faults.js";
export type * from "./types.js";
export type { RequestRecord } from "./server.js";
