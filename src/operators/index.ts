// Public exports of src/operators: filled in by its owner.
export {};
