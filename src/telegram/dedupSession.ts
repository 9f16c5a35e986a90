/**
 * A StringSession whose entity table does not grow without bound. GramJS's MemorySession adds a new row for
 * every entity of every answer (gram-js/gramjs#816), so a long history scan grows memory and slows every lookup;
 * here a newer row replaces the older one of the same id.
 */
import { StringSession } from "telegram/sessions/index.js";

type Row = [unknown, ...unknown[]];

export class DedupStringSession extends StringSession {
  // Latest row per entity id, mirroring MemorySession's `_entities` set.
  private readonly byId = new Map<string, Row>();

  override processEntities(tlo: unknown): void {
    const self = this as unknown as { _entitiesToRows(t: unknown): Iterable<Row>; _entities: Set<Row> };
    for (const row of self._entitiesToRows(tlo)) {
      const key = String(row[0]);
      const old = this.byId.get(key);
      if (old) self._entities.delete(old);
      self._entities.add(row);
      this.byId.set(key, row);
    }
  }
}
