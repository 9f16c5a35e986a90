/** The `dir:PATH` spelling of archive targets and sources. */
import path from "node:path";

/** Prefix of archive targets and sources. */
export const DIR_PREFIX = "dir:";

/** Whether `spec` names an archive ("dir:PATH"). */
export function isDirSpec(spec: string): boolean {
  return spec.startsWith(DIR_PREFIX);
}

/** The absolute folder of "dir:PATH" (or of a bare PATH). */
export function dirPath(spec: string): string {
  return path.resolve(isDirSpec(spec) ? spec.slice(DIR_PREFIX.length) : spec);
}
