// Public exports of src/archive: filled in by its owner.
export {};
