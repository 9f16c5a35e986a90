import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Entity, Post } from "../../src/model/index.js";
import {
  applyEdits, applyReplacements, compileCaptionEdit, editBatch, parseReplacement, parseTemplate, renderTemplate, trimText,
} from "../../src/pipeline/captions.js";

const post = (over: Partial<Post> = {}): Post => ({
  chatId: "-1001234567890", id: 42, date: Date.UTC(2024, 4, 31, 12, 30, 5) / 1000, text: "", entities: [],
  noforwards: false, linkPreview: false, ...over,
});
/** The text each entity covers: what must survive an edit. */
const covered = (text: string, es: readonly Entity[]) => es.map((e) => `${e.type}:${text.slice(e.offset, e.offset + e.length)}`);

describe("applyEdits: entities follow their characters", () => {
  const text = "Hello bold world";
  const bold: Entity = { type: "bold", offset: 6, length: 4 }; // "bold"
  it("shifts an entity after the edit by the length change", () => {
    const out = applyEdits({ text, entities: [bold] }, [{ start: 0, end: 5, insert: "Hi" }]);
    expect(out.text).toBe("Hi bold world");
    expect(covered(out.text, out.entities)).toEqual(["bold:bold"]);
  });
  it("stretches an entity that contains the edit", () => {
    const out = applyEdits({ text, entities: [bold] }, [{ start: 7, end: 9, insert: "OOO" }]);
    expect(covered(out.text, out.entities)).toEqual(["bold:bOOOd"]);
  });
  it("trims an entity cut at its end, and one cut at its start", () => {
    const right = applyEdits({ text, entities: [bold] }, [{ start: 8, end: 16, insert: "!" }]);
    expect(right.text).toBe("Hello bo!");
    expect(covered(right.text, right.entities)).toEqual(["bold:bo"]);
    const left = applyEdits({ text, entities: [bold] }, [{ start: 0, end: 8, insert: "" }]);
    expect(covered(left.text, left.entities)).toEqual(["bold:ld"]);
  });
  it("drops an entity wholly inside the replaced span", () => {
    const out = applyEdits({ text, entities: [bold] }, [{ start: 5, end: 11, insert: " " }]);
    expect(out.text).toBe("Hello world");
    expect(out.entities).toEqual([]);
  });
  it("keeps the style when exactly its text is replaced by other text", () => {
    const out = applyEdits({ text, entities: [bold] }, [{ start: 6, end: 10, insert: "strong" }]);
    expect(covered(out.text, out.entities)).toEqual(["bold:strong"]);
  });
  it("drops a content entity (url, mention, hashtag) whose text changes, keeps it when untouched", () => {
    const t = "see https://a.example and @chan #tag";
    const es: Entity[] = [{ type: "url", offset: 4, length: 17 }, { type: "mention", offset: 26, length: 5 }, { type: "hashtag", offset: 32, length: 4 }];
    const out = applyEdits({ text: t, entities: es }, [{ start: 12, end: 13, insert: "b" }]);
    expect(covered(out.text, out.entities)).toEqual(["mention:@chan", "hashtag:#tag"]);
  });
  it("an insertion at an entity's start or end stays outside it", () => {
    const atStart = applyEdits({ text, entities: [bold] }, [{ start: 6, end: 6, insert: ">" }]);
    expect(covered(atStart.text, atStart.entities)).toEqual(["bold:bold"]);
    const atEnd = applyEdits({ text, entities: [bold] }, [{ start: 10, end: 10, insert: "<" }]);
    expect(covered(atEnd.text, atEnd.entities)).toEqual(["bold:bold"]);
  });
  it("refuses overlapping edits", () => {
    expect(() => applyEdits({ text, entities: [] }, [{ start: 0, end: 5, insert: "" }, { start: 3, end: 8, insert: "" }])).toThrow(/overlap/);
  });
});

describe("--replace with non-BMP text (UTF-16 offsets)", () => {
  // 🎉 and 𝐁 are two UTF-16 units each; the entity offsets are in those units.
  const text = "🎉 Party at 𝐁ar 🎉 tonight";
  const italic: Entity = { type: "italic", offset: text.indexOf("tonight"), length: 7 };
  const bold: Entity = { type: "bold", offset: text.indexOf("𝐁ar"), length: "𝐁ar".length };
  it("shifts entities by UTF-16 units when emoji are replaced", () => {
    const out = applyReplacements({ text, entities: [bold, italic] }, [parseReplacement("🎉=*")]);
    expect(out.text).toBe("* Party at 𝐁ar * tonight");
    expect(covered(out.text, out.entities)).toEqual(["bold:𝐁ar", "italic:tonight"]);
  });
  it("inserting emoji shifts by two units per emoji", () => {
    const out = applyReplacements({ text, entities: [bold, italic] }, [parseReplacement("Party=🥳🥳")]);
    expect(out.text).toBe("🎉 🥳🥳 at 𝐁ar 🎉 tonight");
    expect(covered(out.text, out.entities)).toEqual(["bold:𝐁ar", "italic:tonight"]);
  });
  it("a dot matches a whole emoji (u flag), never half a surrogate pair", () => {
    const out = applyReplacements({ text: "a🎉b", entities: [] }, [parseReplacement("a.b=x")]);
    expect(out.text).toBe("x");
  });
  it("$1 and /i flags", () => {
    const out = applyReplacements({ text: "Join @OldChan now", entities: [{ type: "bold", offset: 0, length: 17 }] }, [parseReplacement("/@old(\\w+)/i=@new$1")]);
    expect(out.text).toBe("Join @newChan now");
    expect(covered(out.text, out.entities)).toEqual(["bold:Join @newChan now"]);
  });
  it("rules run in order", () => {
    const out = applyReplacements({ text: "abc", entities: [] }, [parseReplacement("a=b"), parseReplacement("b=c")]);
    expect(out.text).toBe("ccc");
  });
  it("parse errors are one-line reasons", () => {
    expect(() => parseReplacement("noequals")).toThrow(/no "="/);
    expect(() => parseReplacement("(=x")).toThrow(/not a valid regex/);
    expect(() => parseReplacement("a*=x")).toThrow(/empty string/);
    expect(() => parseReplacement("(a)=$2")).toThrow(/\$2/);
    expect(() => parseReplacement("/a/g=x")).toThrow(/flag "g"/);
    expect(parseReplacement("a(?=b)=c").pattern.source).toBe("a(?=b)");
    expect(parseReplacement("k\\=v=kv").pattern.source).toBe("k=v");
  });
  it("property: style entities not touched by a replacement keep their exact text", () => {
    const alphabet = fc.constantFrom("a", "b", " ", "🎉", "é", "𝐁", "x");
    fc.assert(fc.property(
      fc.array(alphabet, { minLength: 1, maxLength: 30 }),
      fc.nat(), fc.nat(),
      fc.constantFrom("🎉", "x", "ab"),
      fc.constantFrom("", "Y", "🥳🥳"),
      (chars, s0, l0, from, to) => {
        const text = chars.join("");
        // An entity on code-point borders.
        const cps = [...text];
        const s = s0 % cps.length;
        const l = 1 + (l0 % (cps.length - s));
        const offset = cps.slice(0, s).join("").length;
        const length = cps.slice(s, s + l).join("").length;
        const e: Entity = { type: "bold", offset, length };
        const inside = text.slice(offset, offset + length);
        const rule = parseReplacement(`${from}=${to}`);
        const touched = [...text.matchAll(rule.pattern)].some((m) => m.index! < offset + length && m.index! + m[0].length > offset);
        const out = applyReplacements({ text, entities: [e] }, [rule]);
        for (const x of out.entities) {
          expect(x.offset).toBeGreaterThanOrEqual(0);
          expect(x.offset + x.length).toBeLessThanOrEqual(out.text.length);
          expect(x.length).toBeGreaterThan(0);
        }
        if (!touched) expect(covered(out.text, out.entities)).toEqual([`bold:${inside}`]);
      },
    ), { numRuns: 300 });
  });
});

describe("caption templates", () => {
  const p = post({
    text: "Hi 👋 there", entities: [{ type: "bold", offset: 3, length: 2 }],
    media: { kind: "video", size: 1536 * 1024, fileName: "clip.mp4" },
  });
  it("puts {text} with its entities where it lands, and adds the template's own formatting", () => {
    const tpl = parseTemplate("**{file_name}** ({size})\\n{text}\\n[source]({link}) #{id}".replace("{link}", "https://t.me/c/1234567890/42"));
    const out = renderTemplate(tpl, p);
    expect(out.text).toBe("clip.mp4 (1.5 MB)\nHi 👋 there\nsource #42");
    expect(covered(out.text, out.entities)).toEqual(["bold:clip.mp4", "bold:👋", "textUrl:source"]);
    expect(out.entities.find((e) => e.type === "textUrl")!.url).toBe("https://t.me/c/1234567890/42");
  });
  it("fills variables inside a link's (url), per post: the README's [source]({link}) and https://x.org/{id}", () => {
    const tpl = parseTemplate("{text}\\n\\n**via** [source]({link}) [#{id}](https://x.org/p/{id})");
    const out = renderTemplate(tpl, p, { link: "https://t.me/src/42" });
    expect(out.text).toBe("Hi 👋 there\n\nvia source #42");
    const urls = out.entities.filter((e) => e.type === "textUrl").map((e) => [out.text.slice(e.offset, e.offset + e.length), e.url]);
    expect(urls).toEqual([["source", "https://t.me/src/42"], ["#42", "https://x.org/p/42"]]);
  });
  it("a link whose filled URL is not one (no {link} for this source) renders its label plain", () => {
    const out = renderTemplate(parseTemplate("[source]({link})"), p, {});
    expect(out).toEqual({ text: "source", entities: [] });
  });
  it("refuses a (url) that is neither a scheme URL nor starts with a variable", () => {
    expect(() => parseTemplate("[a](example.org/{id})")).toThrow(/link "example.org\/\{id\}" is not an http/);
    expect(() => parseTemplate("[a]({nope})")).toThrow(/unknown variable \{nope\}/);
    expect(() => parseTemplate("[a]()")).toThrow(/empty \(url\)/);
  });
  it("{link}, {date}, {time}, {kind}, nested formatting around {text}", () => {
    const out = renderTemplate(parseTemplate("__{text}__ {date} {time} {kind} {link}"), p, { link: "https://t.me/src/42" });
    expect(out.text).toBe("Hi 👋 there 2024-05-31 12:30:05 video https://t.me/src/42");
    expect(covered(out.text, out.entities)).toEqual(["italic:Hi 👋 there", "bold:👋"]);
  });
  it("escapes and code spans", () => {
    const out = renderTemplate(parseTemplate("\\*not bold\\* `{id}` ~~x~~ ||s||"), p);
    expect(out.text).toBe("*not bold* {id} x s");
    expect(covered(out.text, out.entities)).toEqual(["code:{id}", "strike:x", "spoiler:s"]);
  });
  it("an empty {text} leaves no dangling whitespace or empty entity", () => {
    const out = renderTemplate(parseTemplate("{text}\\n\\n**{file_name}**"), post({ media: { kind: "photo", size: 10 } }));
    expect(out).toEqual({ text: "", entities: [] });
  });
  it("reports template errors with their column", () => {
    expect(() => parseTemplate("{nope}")).toThrow(/unknown variable \{nope\}.*column 1/);
    expect(() => parseTemplate("a **b")).toThrow(/"\*\*" is not closed at column 3/);
    expect(() => parseTemplate("[x](ftp://a)")).toThrow(/not an http/);
    expect(() => parseTemplate("[x]")).toThrow(/followed by "\(url\)"/);
    expect(() => parseTemplate("a\\q")).toThrow(/unknown escape/);
    expect(() => parseTemplate("{text")).toThrow(/without "}"/);
  });
  it("trimText keeps entities on their characters", () => {
    const out = trimText({ text: "  **x**  ", entities: [{ type: "bold", offset: 0, length: 5 }] });
    expect(out.text).toBe("**x**");
    expect(covered(out.text, out.entities)).toEqual(["bold:**x"]);
  });
});

describe("compileCaptionEdit and editBatch", () => {
  it("drop, then replacements, then the template", () => {
    const edit = compileCaptionEdit({ replacements: [parseReplacement("old=new")], template: parseTemplate("{text} (via **me**)") });
    const out = edit(post({ text: "old news", entities: [{ type: "italic", offset: 0, length: 3 }] }));
    expect(out.text).toBe("new news (via me)");
    expect(covered(out.text, out.entities)).toEqual(["italic:new", "bold:me"]);
    const photo = { kind: "photo", size: 10 } as const;
    const dropped = compileCaptionEdit({ dropCaptions: true })(post({ text: "gone", entities: [{ type: "bold", offset: 0, length: 4 }], media: photo }));
    expect(dropped).toEqual({ text: "", entities: [] });
  });
  it("--drop-captions keeps the text of text-only posts (only media captions go)", () => {
    const textOnly = post({ text: "stays", entities: [{ type: "bold", offset: 0, length: 5 }] });
    expect(compileCaptionEdit({ dropCaptions: true })(textOnly)).toEqual({ text: "stays", entities: textOnly.entities });
    const batch = { posts: [textOnly] } as unknown as Parameters<typeof editBatch>[0];
    expect(editBatch(batch, compileCaptionEdit({ dropCaptions: true }), { dropCaptions: true }).posts[0]!.text).toBe("stays");
  });
  it("a template captions the album once: the items with a caption, else the first", () => {
    const spec = { template: parseTemplate("#{id} {text}") };
    const edit = compileCaptionEdit(spec);
    const items = [1, 2, 3].map((id) => post({ id, groupedId: "9", text: id === 2 ? "cap" : "" }));
    const withCaption = editBatch({ posts: items, groupedId: "9", seq: 0 }, edit, spec);
    expect(withCaption.posts.map((p) => p.text)).toEqual(["", "#2 cap", ""]);
    const none = editBatch({ posts: items.map((p) => ({ ...p, text: "" })), groupedId: "9", seq: 0 }, edit, spec);
    expect(none.posts.map((p) => p.text)).toEqual(["#1", "", ""]);
  });
  it("keeps the adapter's ref and does not mutate the posts", () => {
    const ref = { any: "handle" };
    const p = post({ text: "a", ref });
    const spec = { replacements: [parseReplacement("a=b")] };
    const b = editBatch({ posts: [p], seq: 0 }, compileCaptionEdit(spec), spec);
    expect(b.posts[0]!.ref).toBe(ref);
    expect(b.posts[0]!.text).toBe("b");
    expect(p.text).toBe("a");
  });
});

describe("applyEdits property: entities stay inside the text and untouched ones keep their characters", () => {
  it("holds for random texts, entities and non-overlapping edits", () => {
    const chars = fc.constantFrom("a", "b", " ", "🎉", "é", "𝐁", "\n");
    const types = fc.constantFrom<Entity["type"]>("bold", "italic", "url", "mention", "textUrl", "customEmoji");
    fc.assert(fc.property(
      fc.array(chars, { minLength: 1, maxLength: 25 }),
      fc.array(fc.tuple(types, fc.nat(), fc.nat()), { maxLength: 5 }),
      fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom("", "X", "🥳", "long text")), { maxLength: 4 }),
      (cps, rawEntities, rawEdits) => {
        const text = cps.join("");
        const at = (i: number) => cps.slice(0, i).join("").length; // UTF-16 offset of code point i
        const entities: Entity[] = rawEntities.map(([type, s, l]) => {
          const start = s % cps.length;
          const len = 1 + (l % (cps.length - start));
          return { type, offset: at(start), length: at(start + len) - at(start) };
        });
        // Non-overlapping edits on code-point borders.
        const points = [...new Set(rawEdits.flatMap(([a, b]) => [a % (cps.length + 1), b % (cps.length + 1)]))].sort((x, y) => x - y);
        const edits = [];
        for (let i = 0; i + 1 < points.length && edits.length < rawEdits.length; i += 2) {
          edits.push({ start: at(points[i]!), end: at(points[i + 1]!), insert: rawEdits[edits.length]![2] });
        }
        const out = applyEdits({ text, entities }, edits);
        expect(out.text.length).toBe(text.length + edits.reduce((n, e) => n + e.insert.length - (e.end - e.start), 0));
        for (const e of out.entities) {
          expect(e.length).toBeGreaterThan(0);
          expect(e.offset).toBeGreaterThanOrEqual(0);
          expect(e.offset + e.length).toBeLessThanOrEqual(out.text.length);
        }
        for (let i = 1; i < out.entities.length; i++) expect(out.entities[i]!.offset).toBeGreaterThanOrEqual(out.entities[i - 1]!.offset);
        // An entity no edit touches (not even an insertion strictly inside) is still there with the same text.
        for (const e of entities) {
          const touched = edits.some((d) => (d.start < e.offset + e.length && d.end > e.offset) || (d.start === d.end && d.start > e.offset && d.start < e.offset + e.length));
          if (touched) continue;
          const want = `${e.type}:${text.slice(e.offset, e.offset + e.length)}`;
          expect(covered(out.text, out.entities)).toContain(want);
        }
      },
    ), { numRuns: 500 });
  });
});
