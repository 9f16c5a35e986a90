export * from "./entity.js";
export * from "./media.js";
export * from "./post.js";
export * from "./batch.js";
export * from "./loaded.js";
export * from "./errors.js";
export * from "./process.js";
