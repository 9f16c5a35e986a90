// Archive file names: from the post id, safe on any file system, bounded, never colliding.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boundName, chatFolderName, mediaFileName, MAX_NAME_BYTES, sanitizeName } from "../../src/archive/index.js";
import type { MediaKind } from "../../src/model/index.js";

const kinds: MediaKind[] = ["photo", "video", "document", "audio", "voice", "videoNote", "animation", "sticker"];

describe("archive names", () => {
  it("are safe, bounded, start with the post id and differ between posts, whatever the original name", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: -2_000_000_000, max: 2 ** 31 - 1 }), { minLength: 2, maxLength: 5 }),
        fc.option(fc.string({ unit: "binary", maxLength: 400 }), { nil: undefined }),
        fc.constantFrom(...kinds),
        (ids, fileName, kind) => {
          const names = ids.map((id) => mediaFileName({ id, media: { kind, size: 1, ...(fileName !== undefined ? { fileName } : {}) } }));
          expect(new Set(names).size).toBe(ids.length);
          names.forEach((n, i) => {
            expect(Buffer.byteLength(n)).toBeLessThanOrEqual(MAX_NAME_BYTES);
            expect(n).not.toMatch(/[\u0000-\u001f\u007f/\\<>:"|?*]/);
            expect(n.startsWith(`${ids[i]}_`) || n.startsWith(`${ids[i]}.`)).toBe(true);
            expect(n).not.toMatch(/[. ]$/);
          });
        },
      ),
    );
  });

  it("keep the extension and whole characters when cut", () => {
    const cut = boundName("ж".repeat(200) + ".tar", 50);
    expect(cut.endsWith(".tar")).toBe(true);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(50);
    expect(cut).not.toContain("\ufffd");
    expect(sanitizeName("..\\..//x.mp4")).toBe("_..__x.mp4");
    expect(chatFolderName("-1001292077344")).toBe("-1001292077344");
    expect(chatFolderName("export:/a/b/result.json")).toBe("export_a_b_result.json");
  });
});
