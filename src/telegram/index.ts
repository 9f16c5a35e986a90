// Public exports of src/telegram: filled in by its owner.
export {};
