import type { Batch } from "./batch.js";

/** Downloaded bytes of one post's media: in memory when small, in a temp file when large. */
export type FileData =
  | { readonly kind: "memory"; readonly bytes: Buffer }
  | { readonly kind: "file"; readonly path: string };

export interface LoadedFile {
  readonly postId: number;
  readonly data: FileData;
  readonly size: number;
  /** The thumbnail's bytes (JPEG), when the source media has one and it was downloaded. */
  readonly thumb?: Buffer;
}

/** A batch after its download step; `files` is empty when no target needs bytes (forward, copy). */
export interface Loaded {
  readonly batch: Batch;
  readonly files: readonly LoadedFile[];
  /** Bytes held in memory for this batch: what the byte budget accounts for. */
  readonly memoryBytes: number;
  /** Remove temp files; idempotent. Called after the last target has the batch, or on failure. */
  readonly release: () => Promise<void>;
}

export function fileOf(loaded: Loaded, postId: number): LoadedFile | undefined {
  return loaded.files.find((f) => f.postId === postId);
}
