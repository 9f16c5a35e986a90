// Properties of the import rules over random inputs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inferAlbums, parseText, repairHexEscapes, type AlbumCandidate } from "../../src/imports/index.js";

describe("import properties", () => {
  it("albums are runs of 2..10 consecutive ids of one class, one second and one sender", () => {
    const item = fc.record({
      gap: fc.integer({ min: 1, max: 2 }),
      dt: fc.integer({ min: 0, max: 1 }),
      album: fc.option(fc.constantFrom("visual" as const, "audio" as const, "doc" as const), { nil: undefined }),
      sender: fc.constantFrom("a", "b"),
    });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 60 }), (raw) => {
        let id = 0;
        let date = 0;
        const items: AlbumCandidate[] = raw.map((r) => {
          id += r.gap;
          date += r.dt;
          return { id, date, sender: r.sender, ...(r.album ? { album: r.album } : {}) };
        });
        const albums = inferAlbums(items);
        const seen = new Set<number>();
        for (const a of albums) {
          expect(a.length).toBeGreaterThanOrEqual(2);
          expect(a.length).toBeLessThanOrEqual(10);
          const m = a.map((i) => items[i]!);
          for (let k = 1; k < m.length; k++) {
            expect(a[k]).toBe(a[k - 1]! + 1);
            expect(m[k]!.id).toBe(m[k - 1]!.id + 1);
            expect(m[k]!.date).toBe(m[0]!.date);
            expect(m[k]!.album).toBe(m[0]!.album);
            expect(m[k]!.sender).toBe(m[0]!.sender);
          }
          expect(m[0]!.album).toBeDefined();
          for (const i of a) {
            expect(seen.has(i)).toBe(false);
            seen.add(i);
          }
        }
        // Maximal: two neighbours that could join are in one album unless the first album is full.
        for (let i = 1; i < items.length; i++) {
          const p = items[i - 1]!;
          const m = items[i]!;
          if (m.album && p.album === m.album && m.id === p.id + 1 && m.date === p.date && m.sender === p.sender) {
            const ap = albums.find((a) => a.includes(i - 1));
            const am = albums.find((a) => a.includes(i));
            if (ap !== am) expect(ap?.length).toBe(10);
          }
        }
      }),
    );
  });

  it("text parts join to the text, and every entity covers its own part", () => {
    const part = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 8 }),
      fc.record({ type: fc.constantFrom("bold", "italic", "link", "plain", "code", "spoiler"), text: fc.string({ unit: "grapheme", maxLength: 8 }) }),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 12 }), (parts) => {
        const { text, entities } = parseText(parts);
        expect(text).toBe(parts.map((p) => (typeof p === "string" ? p : p.text)).join(""));
        const typed = parts.filter((p) => typeof p !== "string" && p.type !== "plain" && p.text.length > 0) as Array<{ text: string }>;
        expect(entities.map((e) => text.slice(e.offset, e.offset + e.length))).toEqual(typed.map((p) => p.text));
      }),
    );
  });

  it("repairing \\xNN never changes a valid JSON string's value", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        const json = JSON.stringify(s);
        expect(JSON.parse(repairHexEscapes(json))).toBe(s);
      }),
    );
  });
});
