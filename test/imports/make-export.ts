// Builds small synthetic Telegram Desktop exports in temp folders, for cases the real fixtures lack.
import { promises as fs } from "node:fs";
import path from "node:path";
import { tmp } from "../archive/helpers.js";

/** A message of the newest format (date_unixtime, from_id string), overridable field by field. */
export function msg(id: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    type: "message",
    date: "2024-05-01T10:00:00",
    date_unixtime: "1714557600",
    from: "Chan",
    from_id: "channel777",
    text: "",
    text_entities: [],
    ...fields,
  };
}

/**
 * Write a single-chat export (result.json and the named media files, each holding its own path as bytes)
 * and return its folder. `raw` replaces the JSON text.
 */
export async function makeExport(
  messages: Array<Record<string, unknown>>,
  opts: { files?: string[]; raw?: string; root?: Record<string, unknown> } = {},
): Promise<string> {
  const dir = tmp();
  const root = opts.root ?? { name: "Chan", type: "public_channel", id: 777, messages };
  await fs.writeFile(path.join(dir, "result.json"), opts.raw ?? JSON.stringify(root, null, 1));
  for (const f of opts.files ?? []) {
    await fs.mkdir(path.dirname(path.join(dir, f)), { recursive: true });
    await fs.writeFile(path.join(dir, f), f);
  }
  return dir;
}
