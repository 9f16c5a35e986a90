/**
 * Caption edits: drop captions, regex replacements, and templates, keeping every formatting entity on the
 * right characters. Offsets and lengths are UTF-16 code units, as in Telegram's schema and JavaScript strings.
 *
 * The rule for an entity touched by an edit (a replaced span):
 * - a "content" entity (mention, hashtag, cashtag, botCommand, url, email, phone, bankCard, customEmoji), whose
 *   meaning is its exact text, is DROPPED when an edit changes any of its characters;
 * - a "style" entity (bold, italic, underline, strike, code, pre, textUrl, mentionName, spoiler, blockquote,
 *   unknown) that contains the whole edit stretches or shrinks with it (the new text inherits the style);
 *   one that the edit cuts at one end is TRIMMED to its surviving part; one that lies wholly inside the
 *   replaced span is DROPPED; an entity that ends up empty is dropped.
 *
 * Template syntax (`--caption-template`):
 *   {text} the original text or caption, with its own entities; {id} the source post id; {date} YYYY-MM-DD,
 *   {time} HH:MM:SS, {datetime} "YYYY-MM-DD HH:MM:SS" (UTC); {link} the source post link; {file_name};
 *   {size} human size ("1.5 MB"); {size_bytes}; {kind} media kind; {chat} the source chat key.
 *   Formatting of its own: **bold**, __italic__, ~~strike~~, ||spoiler||, `code`, [label](https://url).
 *   Variables may sit inside formatting (**{file_name}**); variable values are plain text, never markup.
 *   Escapes: \n newline, \t tab, and a backslash before any of * _ ~ | ` [ ] ( ) { } \ for the character itself.
 */
import type { Batch } from "../model/batch.js";
import type { Entity, EntityType } from "../model/entity.js";
import type { Post } from "../model/post.js";

/** A text with its entities. */
export interface FormattedText {
  readonly text: string;
  readonly entities: readonly Entity[];
}

/** One replaced span of the current text: [start, end) becomes `insert`. */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly insert: string;
}

/** Entity types whose meaning is their exact text: any change to their characters drops them. */
const CONTENT_TYPES: ReadonlySet<EntityType> = new Set<EntityType>([
  "mention", "hashtag", "cashtag", "botCommand", "url", "email", "phone", "bankCard", "customEmoji",
]);

/** Whether an edit changing any character of this entity type drops it (instead of trimming it). */
export function isContentEntity(type: EntityType): boolean {
  return CONTENT_TYPES.has(type);
}

/**
 * Apply one edit to one entity, per the rule in this file's header. Returns the moved entity or undefined
 * when it is dropped.
 */
function moveEntity(e: Entity, edit: TextEdit): Entity | undefined {
  const a = e.offset;
  const b = e.offset + e.length;
  const { start: s, end: t } = edit;
  const delta = edit.insert.length - (t - s);
  // Wholly after the entity (an insertion at its end stays outside it).
  if (s >= b) return e;
  // Wholly before it (an insertion at its start goes before it).
  if (t <= a) return withSpan(e, a + delta, e.length);
  if (CONTENT_TYPES.has(e.type)) return undefined;
  // The entity contains the whole edit: it takes the new text.
  if (a <= s && t <= b) {
    return nonEmpty(withSpan(e, a, e.length + delta));
  }
  // The edit covers the whole entity: its characters are gone.
  if (s <= a && b <= t) return undefined;
  // Cut at its end: keep [a, s).
  if (s > a) return nonEmpty(withSpan(e, a, s - a));
  // Cut at its start: keep what follows the replaced span.
  return nonEmpty(withSpan(e, s + edit.insert.length, b - t));
}

function withSpan(e: Entity, offset: number, length: number): Entity {
  return { ...e, offset, length };
}

function nonEmpty(e: Entity): Entity | undefined {
  return e.length > 0 ? e : undefined;
}

/**
 * Apply non-overlapping edits (any order) to a formatted text. Edits are applied from the last to the
 * first, so each one's offsets stay valid in the original text.
 * @returns the new text and its entities, sorted by offset (longer first at equal offsets).
 */
export function applyEdits(input: FormattedText, edits: readonly TextEdit[]): FormattedText {
  const sorted = [...edits].sort((x, y) => y.start - x.start || y.end - x.end);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.end > sorted[i - 1]!.start) throw new RangeError("edits overlap");
  }
  let text = input.text;
  let entities: Entity[] = [...input.entities];
  for (const edit of sorted) {
    if (edit.start < 0 || edit.end > text.length || edit.start > edit.end) throw new RangeError("edit out of the text");
    text = text.slice(0, edit.start) + edit.insert + text.slice(edit.end);
    const next: Entity[] = [];
    for (const e of entities) {
      const moved = moveEntity(e, edit);
      if (moved) next.push(moved);
    }
    entities = next;
  }
  return { text, entities: sortEntities(entities) };
}

/** Telegram's order: by offset, the enclosing (longer) entity first. */
export function sortEntities(entities: readonly Entity[]): Entity[] {
  return [...entities].sort((x, y) => x.offset - y.offset || y.length - x.length);
}

// ---------------------------------------------------------------------------------------------------------
// --replace FROM=TO

/** A compiled `--replace` rule. */
export interface Replacement {
  readonly pattern: RegExp;
  readonly to: string;
  /** The rule as the user wrote it, for messages. */
  readonly source: string;
}

/**
 * Parse `FROM=TO` (FROM a JavaScript regex; `\=` for a literal "=" in FROM; "=" in `(?=`, `(?<=`, `(?<!`... is
 * part of the regex) or `/FROM/FLAGS=TO` (flags among i, m, s). TO may use $1, $<name>, $& and $$.
 * The regex always runs with the `g` and `u` flags, so matches never split an emoji's surrogate pair.
 * @throws SyntaxError with a one-line reason.
 */
export function parseReplacement(rule: string): Replacement {
  let from: string;
  let to: string;
  let flags = "gu";
  const slashed = /^\/((?:\\.|[^\\/])*)\/([a-z]*)=([\s\S]*)$/u.exec(rule);
  if (slashed) {
    from = slashed[1]!;
    for (const f of slashed[2]!) {
      if (!"ims".includes(f)) throw new SyntaxError(`flag "${f}" is not allowed (use i, m or s)`);
      if (!flags.includes(f)) flags += f;
    }
    to = slashed[3]!;
  } else {
    const at = separatorIndex(rule);
    if (at < 0) throw new SyntaxError(`"${rule}" has no "=" between FROM and TO`);
    from = rule.slice(0, at).replace(/\\=/gu, "=");
    to = rule.slice(at + 1);
  }
  if (from.length === 0) throw new SyntaxError("FROM is empty");
  let pattern: RegExp;
  try {
    pattern = new RegExp(from, flags);
  } catch (e) {
    throw new SyntaxError(`FROM is not a valid regex: ${(e as Error).message}`);
  }
  if (pattern.test("")) throw new SyntaxError(`FROM /${from}/ matches the empty string`);
  checkReplacementRefs(to, pattern);
  return { pattern, to, source: rule };
}

/** The first "=" that separates FROM from TO: not escaped, not part of a lookaround group opener. */
function separatorIndex(rule: string): number {
  for (let i = 0; i < rule.length; i++) {
    const c = rule[i];
    if (c === "\\") { i++; continue; }
    if (c !== "=") continue;
    const before = rule.slice(Math.max(0, i - 3), i);
    if (before.endsWith("(?") || before.endsWith("(?<")) continue;
    return i;
  }
  return -1;
}

function groupCount(pattern: RegExp): number {
  return new RegExp(`${pattern.source}|`, pattern.flags.replace("g", "")).exec("")!.length - 1;
}

function checkReplacementRefs(to: string, pattern: RegExp): void {
  const groups = groupCount(pattern);
  for (const m of to.matchAll(/\$(\d{1,2})/gu)) {
    const n = Number(m[1]);
    if (n === 0 || n > groups) throw new SyntaxError(`TO refers to group $${n}, FROM has ${groups}`);
  }
}

/** Expand $1, $<name>, $& and $$ of TO for one match. */
function expand(to: string, m: RegExpExecArray): string {
  return to.replace(/\$(\$|&|\d{1,2}|<([^>]*)>)/gu, (all, what: string, name: string | undefined) => {
    if (what === "$") return "$";
    if (what === "&") return m[0];
    if (name !== undefined) return m.groups?.[name] ?? "";
    return m[Number(what)] ?? "";
  });
}

/** The edits one replacement rule makes on a text (all matches). */
export function replacementEdits(text: string, rule: Replacement): TextEdit[] {
  const edits: TextEdit[] = [];
  const re = new RegExp(rule.pattern.source, rule.pattern.flags);
  for (const m of text.matchAll(re)) {
    edits.push({ start: m.index!, end: m.index! + m[0].length, insert: expand(rule.to, m as RegExpExecArray) });
  }
  return edits;
}

/** Apply the rules one after the other (each sees the result of the previous one). */
export function applyReplacements(input: FormattedText, rules: readonly Replacement[]): FormattedText {
  let out = input;
  for (const rule of rules) out = applyEdits(out, replacementEdits(out.text, rule));
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Templates

/** Variables a template may use. */
export const TEMPLATE_VARIABLES = [
  "text", "id", "date", "time", "datetime", "link", "file_name", "size", "size_bytes", "kind", "chat",
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

type Node =
  | { readonly t: "lit"; readonly s: string }
  | { readonly t: "var"; readonly name: TemplateVariable }
  | { readonly t: "style"; readonly type: EntityType; readonly url?: readonly UrlPart[]; readonly children: readonly Node[] };

/** A link's URL: literal pieces and variables, joined when a post is rendered. */
type UrlPart = { readonly t: "lit"; readonly s: string } | { readonly t: "var"; readonly name: TemplateVariable };

const LINK_URL = /^(https?|tg):\/\/\S+$/u;

/** A parsed caption template. */
export interface CaptionTemplate {
  readonly source: string;
  readonly nodes: readonly Node[];
}

const MARKERS: ReadonlyArray<readonly [string, EntityType]> = [
  ["**", "bold"], ["__", "italic"], ["~~", "strike"], ["||", "spoiler"],
];
const ESCAPABLE = "*_~|`[](){}\\";

/**
 * Parse a caption template (syntax in this file's header).
 * @throws SyntaxError naming the problem and its column (1-based).
 */
export function parseTemplate(source: string): CaptionTemplate {
  let i = 0;
  const fail = (msg: string, at = i): never => {
    throw new SyntaxError(`${msg} at column ${at + 1}`);
  };
  // Parse until `close` (a marker string) or the end; returns children.
  const parse = (close: string | undefined, openedAt: number): Node[] => {
    const out: Node[] = [];
    let lit = "";
    const flush = (): void => {
      if (lit) out.push({ t: "lit", s: lit });
      lit = "";
    };
    while (i < source.length) {
      if (close !== undefined && source.startsWith(close, i)) {
        i += close.length;
        flush();
        return out;
      }
      const c = source[i]!;
      if (c === "\\") {
        const n = source[i + 1];
        if (n === undefined) fail("a lone backslash");
        if (n === "n") lit += "\n";
        else if (n === "t") lit += "\t";
        else if (ESCAPABLE.includes(n!)) lit += n;
        else fail(`unknown escape "\\${n}"`);
        i += 2;
        continue;
      }
      if (c === "{") {
        const end = source.indexOf("}", i);
        if (end < 0) fail('"{" without "}"');
        const name = source.slice(i + 1, end);
        if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) {
          fail(`unknown variable {${name}} (known: ${TEMPLATE_VARIABLES.map((v) => `{${v}}`).join(" ")})`);
        }
        flush();
        out.push({ t: "var", name: name as TemplateVariable });
        i = end + 1;
        continue;
      }
      if (c === "}") fail('"}" without "{"');
      const marker = MARKERS.find(([m]) => source.startsWith(m, i));
      if (marker) {
        const at = i;
        i += 2;
        flush();
        const children = parse(marker[0], at);
        out.push({ t: "style", type: marker[1], children });
        continue;
      }
      if (c === "`") {
        const end = source.indexOf("`", i + 1);
        if (end < 0) fail('"`" without its closing "`"');
        flush();
        const code = source.slice(i + 1, end);
        out.push({ t: "style", type: "code", children: code ? [{ t: "lit", s: code }] : [] });
        i = end + 1;
        continue;
      }
      if (c === "[") {
        const at = i;
        i++;
        flush();
        const children = parse("]", at);
        if (source[i] !== "(") fail('"[label]" must be followed by "(url)"', at);
        const end = source.indexOf(")", i);
        if (end < 0) fail('"(" without ")"');
        const url = parseUrl(source.slice(i + 1, end), i + 1, fail);
        out.push({ t: "style", type: "textUrl", url, children });
        i = end + 1;
        continue;
      }
      if (c === "]" && close !== "]") fail('"]" without "["');
      lit += c;
      i++;
    }
    if (close !== undefined) fail(`"${close === "]" ? "[" : close}" is not closed`, openedAt);
    flush();
    return out;
  };
  const nodes = parse(undefined, 0);
  return { source, nodes };
}

/**
 * Parse the `(url)` of a template link: `{variable}`s are filled per post (`[source]({link})`,
 * `[post](https://x.org/{id})`). A URL that starts with a literal must start with http(s):// or tg://;
 * one that starts with a variable is checked once filled (an invalid result renders the label unlinked).
 */
function parseUrl(raw: string, at: number, fail: (msg: string, at?: number) => never): UrlPart[] {
  const parts: UrlPart[] = [];
  let lit = "";
  for (let k = 0; k < raw.length;) {
    const c = raw[k]!;
    if (c === "\\" && raw[k + 1] !== undefined && ESCAPABLE.includes(raw[k + 1]!)) {
      lit += raw[k + 1];
      k += 2;
    } else if (c === "{") {
      const end = raw.indexOf("}", k);
      if (end < 0) fail('"{" without "}"', at + k);
      const name = raw.slice(k + 1, end);
      if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) {
        fail(`unknown variable {${name}} (known: ${TEMPLATE_VARIABLES.map((v) => `{${v}}`).join(" ")})`, at + k);
      }
      if (lit) parts.push({ t: "lit", s: lit });
      lit = "";
      parts.push({ t: "var", name: name as TemplateVariable });
      k = end + 1;
    } else {
      lit += c;
      k++;
    }
  }
  if (lit) parts.push({ t: "lit", s: lit });
  const first = parts[0];
  if (!first) fail("a link with an empty (url)", at);
  if (first!.t === "lit") {
    const literal = parts.every((q) => q.t === "lit");
    const head = first!.s;
    const ok = literal ? LINK_URL.test(head) : /^(https?|tg):\/\/\S*$/u.test(head) && !/\s/u.test(head);
    if (!ok) fail(`link "${raw}" is not an http(s):// or tg:// URL (or a {variable} such as {link})`, at - 1);
  }
  return parts;
}

/** Values of a template's variables for one post. */
export interface TemplateContext {
  /** Link to the source post (https://t.me/name/ID or https://t.me/c/ID/ID), when there is one. */
  readonly link?: string;
}

/** Human size: 1536 -> "1.5 KB" (binary units, as the size options). */
export function formatSize(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v >= 100 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/u, "")} ${units[u]}`;
}

function variable(name: TemplateVariable, post: Post, ctx: TemplateContext): string {
  const iso = new Date(post.date * 1000).toISOString();
  switch (name) {
    case "text": return post.text;
    case "id": return String(post.id);
    case "date": return iso.slice(0, 10);
    case "time": return iso.slice(11, 19);
    case "datetime": return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
    case "link": return ctx.link ?? "";
    case "file_name": return post.media?.fileName ?? "";
    case "size": return post.media ? formatSize(post.media.size) : "";
    case "size_bytes": return post.media ? String(post.media.size) : "";
    case "kind": return post.media?.kind ?? "text";
    case "chat": return post.chatId;
  }
}

/**
 * Render a template for one post: {text} brings the post's own entities, shifted to where it lands;
 * the template's formatting becomes entities around what it encloses (empty ones are left out).
 */
export function renderTemplate(tpl: CaptionTemplate, post: Post, ctx: TemplateContext = {}): FormattedText {
  let text = "";
  const entities: Entity[] = [];
  const walk = (nodes: readonly Node[]): void => {
    for (const n of nodes) {
      if (n.t === "lit") text += n.s;
      else if (n.t === "var") {
        if (n.name === "text") {
          const at = text.length;
          for (const e of post.entities) entities.push({ ...e, offset: e.offset + at });
        }
        text += variable(n.name, post, ctx);
      } else {
        const at = text.length;
        walk(n.children);
        if (text.length > at) {
          if (n.url === undefined) entities.push({ type: n.type, offset: at, length: text.length - at });
          else {
            // Filled per post; a URL that is not one once filled (no {link} for a dir: source) leaves the label plain.
            const url = n.url.map((q) => (q.t === "lit" ? q.s : variable(q.name, post, ctx))).join("");
            if (LINK_URL.test(url)) entities.push({ type: n.type, offset: at, length: text.length - at, url });
          }
        }
      }
    }
  };
  walk(tpl.nodes);
  return trimText({ text, entities: sortEntities(entities) });
}

/** Remove leading/trailing whitespace (e.g. {text} empty at the end), keeping entities on their characters. */
export function trimText(input: FormattedText): FormattedText {
  const { text } = input;
  if (text.trim().length === 0) return { text: "", entities: [] };
  const lead = text.length - text.trimStart().length;
  const trail = text.length - text.trimEnd().length;
  const edits: TextEdit[] = [];
  if (lead > 0) edits.push({ start: 0, end: lead, insert: "" });
  if (trail > 0) edits.push({ start: text.length - trail, end: text.length, insert: "" });
  return edits.length ? applyEdits(input, edits) : input;
}

// ---------------------------------------------------------------------------------------------------------
// The whole edit

/** What the user asked for; each part is optional. Order: drop, then replacements, then the template. */
export interface CaptionEditSpec {
  readonly dropCaptions?: boolean;
  readonly replacements?: readonly Replacement[];
  readonly template?: CaptionTemplate;
}

/** A compiled caption edit for one post. */
export type CaptionEdit = (post: Post, ctx?: TemplateContext) => FormattedText;

/** Whether the spec changes anything at all. */
export function hasCaptionEdits(spec: CaptionEditSpec): boolean {
  return Boolean(spec.dropCaptions || spec.replacements?.length || spec.template);
}

/**
 * Compile the spec into one function. --drop-captions empties the caption of media posts first; the replacements then run on
 * what is left; the template sees the result as {text}.
 */
export function compileCaptionEdit(spec: CaptionEditSpec): CaptionEdit {
  return (post, ctx = {}) => {
    // A caption is the text of a media post: a text-only post keeps its text (emptied, it could not be sent).
    const drop = spec.dropCaptions && post.media !== undefined;
    let out: FormattedText = drop ? { text: "", entities: [] } : { text: post.text, entities: post.entities };
    if (spec.replacements?.length) out = applyReplacements(out, spec.replacements);
    if (spec.template) out = renderTemplate(spec.template, { ...post, text: out.text, entities: out.entities }, ctx);
    return out;
  };
}

/** Link to a post of a public (@name) or private (-100id) chat, or undefined for other sources. */
export function postLink(post: Pick<Post, "chatId" | "id">, username?: string): string | undefined {
  if (username) return `https://t.me/${username}/${post.id}`;
  const m = /^-100(\d+)$/u.exec(post.chatId);
  return m ? `https://t.me/c/${m[1]}/${post.id}` : undefined;
}

/**
 * Edit the captions of a batch. A template applies to the album items that have a caption, or to the first
 * item when none has (so an album gets one caption, as Telegram shows it); replacements and drops apply
 * to every item. Posts are copied, never mutated; `ref` is kept.
 */
export function editBatch(batch: Batch, edit: CaptionEdit, spec: CaptionEditSpec, link?: (p: Post) => string | undefined): Batch {
  if (!hasCaptionEdits(spec)) return batch;
  const withCaption = batch.posts.filter((p) => p.text.length > 0);
  const templated = new Set<Post>(withCaption.length > 0 ? withCaption : batch.posts.slice(0, 1));
  const noTemplate = spec.template ? compileCaptionEdit({ ...spec, template: undefined }) : edit;
  const posts = batch.posts.map((p) => {
    const ctx: TemplateContext = { link: link?.(p) };
    const out = spec.template && templated.has(p) ? edit(p, ctx) : noTemplate(p, ctx);
    return { ...p, text: out.text, entities: out.entities };
  });
  return { ...batch, posts };
}
