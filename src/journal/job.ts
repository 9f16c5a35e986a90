import { createHash } from "node:crypto";

/**
 * What identifies a job: the source, the set of targets and the options that change what lands in the
 * targets (strategy, filters, caption rewriting...). The id range is NOT part of it: the journal remembers
 * per post what is done, so any range of the same job, walked in any way, resumes the same state.
 */
export interface JobSpec {
  /** Source chat key (Source.chatId). */
  readonly source: string;
  /** Target keys (Sink.target); their order does not matter. */
  readonly targets: readonly string[];
  /** Only options that change the output. Keys with undefined values are ignored. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** JSON with sorted keys and no undefined values, so equal specs give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/**
 * The deterministic id of a job: the first 16 hex digits of SHA-256 over the canonical spec.
 * The same source, targets (in any order) and output options always give the same id.
 * @param spec the job's source, targets and output-changing options
 * @returns a 16-character lowercase hex id
 */
export function jobIdOf(spec: JobSpec): string {
  const targets = [...new Set(spec.targets)].sort();
  const text = canonicalJson({ v: 1, source: spec.source, targets, options: spec.options ?? {} });
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}
