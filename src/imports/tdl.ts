/**
 * tdl's `chat export` JSON as a list of message ids to read from Telegram. The file holds no content to
 * send (at most plain text without entities), so tgrelay reads those ids from the chat itself; with
 * `--raw`, each message's 64-bit GroupedID is kept as a decimal string, never through a double.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { UsageError } from "../model/index.js";
import { parseExportJson } from "./json.js";

/** One message of a tdl export. */
export interface TdlMessage {
  readonly id: number;
  /** Album key from `raw.GroupedID` (decimal string), when the export was made with --raw and it is not 0. */
  readonly groupedId?: string;
  /** The file name tdl recorded ("" for messages without media). */
  readonly file?: string;
  /** Unix seconds, with --with-content. */
  readonly date?: number;
  /** Plain text, with --with-content. */
  readonly text?: string;
}

export interface TdlExport {
  /** The chat's bare id as tdl wrote it (no "-100"). */
  readonly chatId: string;
  /** Messages in ascending id order (tdl writes newest first). */
  readonly messages: readonly TdlMessage[];
}

/** Quote every GroupedID number so JSON.parse keeps all 64 bits (keys inside strings are escaped, so skipped). */
function quoteGroupedIds(text: string): string {
  return text.replace(/(?<!\\)("GroupedID"\s*:\s*)(-?\d+)/g, '$1"$2"');
}

/** Parse a tdl export's text; `file` names it in errors. */
export function parseTdlExport(text: string, file = "tdl-export.json"): TdlExport {
  const root = parseExportJson(quoteGroupedIds(text), file) as { id?: unknown; messages?: unknown };
  if (typeof root !== "object" || root === null || !Array.isArray(root.messages)) {
    throw new UsageError(`${file}: not a tdl chat export (no messages array)`);
  }
  if (typeof root.id !== "number" && typeof root.id !== "string") throw new UsageError(`${file}: not a tdl chat export (no chat id)`);
  const messages: TdlMessage[] = [];
  for (const m of root.messages as Array<Record<string, unknown>>) {
    if (typeof m?.id !== "number") throw new UsageError(`${file}: a message without a numeric id`);
    if (m.type !== undefined && m.type !== "message") continue;
    const raw = m.raw as { GroupedID?: unknown } | undefined;
    const grouped = raw && typeof raw.GroupedID === "string" && raw.GroupedID !== "0" ? raw.GroupedID : undefined;
    messages.push({
      id: m.id,
      ...(grouped ? { groupedId: grouped } : {}),
      ...(typeof m.file === "string" ? { file: m.file } : {}),
      ...(typeof m.date === "number" ? { date: m.date } : {}),
      ...(typeof m.text === "string" ? { text: m.text } : {}),
    });
  }
  messages.sort((a, b) => a.id - b.id);
  return { chatId: String(root.id), messages };
}

/** Read a tdl export file; a missing file or malformed JSON is a UsageError. */
export async function readTdlExport(file: string): Promise<TdlExport> {
  const abs = path.resolve(file);
  const text = await fs.readFile(abs, "utf8").catch(() => {
    throw new UsageError(`tdl export: no such file: ${abs}`);
  });
  return parseTdlExport(text, abs);
}

/** The ids of a tdl export, ascending: what the adapter reads from Telegram. */
export function tdlIds(exp: TdlExport): number[] {
  return exp.messages.map((m) => m.id);
}
