// Public exports of src/cli: filled in by its owner.
export {};
