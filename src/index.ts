/** tgrelay's library API: a flat list of named exports. */
export * from "./model/index.js";
export type * from "./ports.js";
export * from "./operators/index.js";
export * from "./pipeline/index.js";
export * from "./journal/index.js";
export * from "./telegram/index.js";
export * from "./emulator/index.js";
export * from "./archive/index.js";
export * from "./imports/index.js";
export * from "./cli/index.js";
