// Public exports of src/pipeline. core owns this file; durable and cli append their own `export *` lines.
export * from "./events.js";
export * from "./relay.js";
