// Public exports of src/operators: one operator per file.
export { bufferByMediaGroup, type BufferByMediaGroupOptions } from "./bufferByMediaGroup.js";
export { orderedMergeMap } from "./orderedMergeMap.js";
export { FloodWaitInterrupted, retryOnFloodWait, type RetryOnFloodWaitOptions } from "./retryOnFloodWait.js";
export { ByteBudget, type BudgetPermit } from "./byteBudget.js";
export { pullPages, type PullPagesOptions } from "./pullPages.js";
