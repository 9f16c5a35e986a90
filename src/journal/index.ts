// Public exports of src/journal: durable state of jobs.
export * from "./job.js";
export type * from "./journal.js";
export * from "./memory.js";
export * from "./sqlite.js";
