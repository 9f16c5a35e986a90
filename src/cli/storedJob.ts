/**
 * `--job ID` without `--from`: the job's source, targets and output options come from the spec the journal
 * stored for it, so `tgrelay retry --job ID` needs nothing else (but the accounts). Options given on the
 * command line, in the env or the config file are kept; only the missing ones are filled.
 */
import { existsSync } from "node:fs";
import { listJobs, type JobSpec } from "../journal/index.js";
import { UsageError } from "../model/errors.js";
import type { RawOptions, RawValue } from "./config.js";
import { userPath } from "./resolve.js";

/** Raw option values (keys as in options.ts) that re-create a stored spec. */
export function rawOfSpec(spec: JobSpec, jobId: string): Map<string, RawValue["value"]> {
  const out = new Map<string, RawValue["value"]>();
  if (!/^-100\d+$/u.test(spec.source)) {
    throw new UsageError(`--job ${jobId}: its source ${spec.source} is not a Telegram chat id, so the journal cannot name it again; give --from as for the copy`);
  }
  out.set("from", spec.source);
  out.set("to", [...spec.targets]);
  const o = (spec.options ?? {}) as Record<string, unknown>;
  const str = (k: string, key = k): void => { if (typeof o[k] === "string" || typeof o[k] === "number") out.set(key, String(o[k])); };
  const list = (k: string, key: string): void => { if (Array.isArray(o[k]) && o[k].length) out.set(key, (o[k] as unknown[]).map(String)); };
  const bool = (k: string): void => { if (o[k] === true) out.set(k, true); };
  // A RegExp is stored as its toString ("/x/iu"); the CLI adds the u flag itself.
  const regex = (k: string): void => {
    if (typeof o[k] !== "string") return;
    const m = /^\/([\s\S]*)\/([a-z]*)$/u.exec(o[k]);
    out.set(k, m ? `/${m[1]}/${m[2]!.replace("u", "")}` : o[k]);
  };
  str("mode");
  bool("skipProtected");
  list("kinds", "kind");
  list("skipKinds", "skipKind");
  str("minSize");
  str("maxSize");
  regex("text");
  regex("notText");
  list("hashtags", "hashtag");
  bool("dropCaptions");
  list("replace", "replace");
  str("template", "captionTemplate");
  return out;
}

/**
 * When --job is given and --from is not, fill from/to and the output options from the journal's spec of
 * that job. Returns the options unchanged otherwise.
 * @throws UsageError when the journal or the job does not exist.
 */
export function withStoredJob(raw: RawOptions, cwd: string): RawOptions {
  const job = raw.get("job");
  if (!job || raw.has("from")) return raw;
  const jobId = String(job.value);
  const given = raw.get("journal")?.value;
  const journal = userPath(cwd, given === undefined ? "tgrelay.db" : String(given));
  if (!existsSync(journal)) throw new UsageError(`--job ${jobId}: no journal ${journal} (give --journal, or --from and --to)`);
  const found = listJobs(journal).find((s) => s.jobId === jobId);
  if (!found) throw new UsageError(`--job ${jobId}: no such job in ${journal} (tgrelay status lists them)`);
  const out: RawOptions = new Map(raw);
  const origin = `job ${jobId} in ${journal}`;
  for (const [k, value] of rawOfSpec(found.spec, jobId)) if (!out.has(k)) out.set(k, { value, origin });
  return out;
}
