/** Short text of a RelayEvent, for marble diagrams of the pipeline. */
import type { RelayEvent } from "../../src/pipeline/index.js";

/** Event types drawn in the relay diagrams (read and downloaded are too many to draw). */
export const DRAWN: ReadonlySet<RelayEvent["type"]> = new Set(["sent", "skipped", "failed", "flood-wait", "done"]);

export function code(e: RelayEvent): string {
  switch (e.type) {
    case "sent": return `sent ${e.postIds.join(",")}`;
    case "skipped": return `skipped ${e.postIds.join(",")} ${e.reason}`;
    case "failed": return `failed ${e.postIds.join(",")} ${e.reason}`;
    case "flood-wait": return `flood-wait ${e.seconds}`;
    case "done": return e.stopped ? "done stopped" : "done";
    case "read": return `read ${e.postId}`;
    case "downloaded": return `downloaded ${e.postIds.join(",")}`;
  }
}
