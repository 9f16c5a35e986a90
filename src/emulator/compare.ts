import type { CompareOptions, Difference, InspectedPost } from "./types.js";

/** Compare two chats read by inspect(): every difference (filled in below). */
export function compareChats(_expected: readonly InspectedPost[], _actual: readonly InspectedPost[], _opts: CompareOptions = {}): Difference[] {
  throw new Error("not yet");
}

/** One line per difference. */
export function formatDifferences(diffs: readonly Difference[]): string {
  return diffs.length === 0 ? "no differences" : diffs.map((d) => `- ${d.kind}: ${d.message}`).join("\n");
}
