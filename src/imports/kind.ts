/** Telling the two export formats apart, so `export:PATH` can take either. */
import { promises as fs } from "node:fs";
import path from "node:path";
import { UsageError } from "../model/index.js";
import { EXPORT_PREFIX } from "./desktop.js";

/**
 * "desktop" for a Telegram Desktop export (a folder with result.json, or a JSON file with name/type or
 * chats), "tdl" for a tdl chat export (a JSON file whose root has only id and messages, dates as numbers).
 * Reads the start of the file only.
 */
export async function exportKind(spec: string): Promise<"desktop" | "tdl"> {
  const p = path.resolve(spec.startsWith(EXPORT_PREFIX) ? spec.slice(EXPORT_PREFIX.length) : spec);
  const st = await fs.stat(p).catch(() => undefined);
  if (!st) throw new UsageError(`export: no such folder: ${p}`);
  if (st.isDirectory()) return "desktop";
  const fh = await fs.open(p, "r");
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(4096), 0, 4096, 0);
    const head = buffer.subarray(0, bytesRead).toString("utf8");
    // Desktop writes "name"/"type" (or "about" for a whole account) before "messages"; tdl writes {"id":N,"messages":[...
    if (/^\s*\{\s*"id"\s*:\s*-?\d+\s*,\s*"messages"\s*:/.test(head)) return "tdl";
    return "desktop";
  } finally {
    await fh.close();
  }
}
