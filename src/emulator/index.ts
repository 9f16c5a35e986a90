// Public exports of src/emulator: filled in by its owner.
export {};
