// Public exports of src/pipeline: filled in by its owner.
export {};
