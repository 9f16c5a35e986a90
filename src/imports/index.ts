// Public exports of src/imports: filled in by its owner.
export {};
