// Public exports of src/journal: filled in by its owner.
export {};
