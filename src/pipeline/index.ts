// Public exports of src/pipeline. core owns this file; durable and cli append their own `export *` lines.
export * from "./events.js";
export * from "./relay.js";
export * from "./plan.js";
export * from "./turnstile.js";
export * from "./scheduler.js";
export * from "./captions.js";
export * from "./filters.js";
