/** Generated channels: a reproducible mix of every kind of post Telegram has, albums, replies, protected posts. */
import type { Entity, EntityType, MediaKind } from "../model/index.js";
import { Prng } from "./prng.js";
import type { ChatRec } from "./records.js";
import type { GenerateOptions, GeneratedKind, MediaSpec, PostSpec } from "./types.js";

const DEFAULT_MIX: Record<GeneratedKind, number> = {
  text: 3, linkPreview: 1, photo: 3, video: 2, document: 1, audio: 1, voice: 1, videoNote: 1, animation: 1, sticker: 1, poll: 1,
};

/** Characters before entities that take two UTF-16 units (or more), so offsets are tested in Telegram's units. */
const PREFIXES = ["", "😀 ", "𝒳𝒴 ", "👨‍👩‍👧 héllo ", "Привет 🇺🇦 "];
const WORDS = ["relay", "album", "channel", "stream", "order", "journal", "flood", "photo", "copy", "archive", "merge", "batch"];

type Segment = { text: string; entity?: Omit<Entity, "offset" | "length"> };

function segmentFor(type: EntityType, prng: Prng, userIds: string[]): Segment {
  switch (type) {
    case "mention": return { text: "@durov", entity: { type } };
    case "hashtag": return { text: `#${prng.pick(WORDS)}`, entity: { type } };
    case "cashtag": return { text: "$USD", entity: { type } };
    case "botCommand": return { text: "/start", entity: { type } };
    case "url": return { text: `https://example.com/${prng.pick(WORDS)}`, entity: { type } };
    case "email": return { text: "team@example.org", entity: { type } };
    case "phone": return { text: "+15551234567", entity: { type } };
    case "pre": return { text: "const x = 1;", entity: { type, language: "typescript" } };
    case "textUrl": return { text: "this link", entity: { type, url: `https://example.net/${prng.int(1, 999)}` } };
    case "mentionName": return { text: "a friend", entity: { type, userId: userIds.length > 0 ? prng.pick(userIds) : "777000" } };
    case "customEmoji": return { text: "🔥", entity: { type, documentId: "5368324170671202286" } };
    case "blockquote": return { text: "a quoted line", entity: prng.chance(0.5) ? { type, collapsed: true } : { type } };
    case "bankCard": return { text: "4111 1111 1111 1111", entity: { type } };
    case "unknown": return { text: prng.pick(WORDS) };
    default: return { text: prng.pick(WORDS), entity: { type } };
  }
}

const ENTITY_KINDS: EntityType[] = [
  "mention", "hashtag", "cashtag", "botCommand", "url", "email", "phone", "bold", "italic", "underline", "strike",
  "code", "pre", "textUrl", "mentionName", "customEmoji", "spoiler", "blockquote", "bankCard",
];

const STYLES: EntityType[] = ["bold", "italic", "underline", "strike", "spoiler"];

/** Words up to exactly `n` UTF-16 units (a long text or caption near Telegram's limits). */
function filler(prng: Prng, n: number): string {
  let out = "";
  while (out.length < n) out += (out ? " " : "") + prng.pick(WORDS);
  return out.slice(0, n);
}

/** Pad a text to `total` units with words after a newline (its entities stay where they are). */
function padded(t: { text: string; entities: Entity[] }, total: number, prng: Prng): { text: string; entities: Entity[] } {
  const room = total - t.text.length - 1;
  return room > 0 ? { text: `${t.text}\n${filler(prng, room)}`, entities: t.entities } : t;
}

/** A text with entities of the given types, in UTF-16 offsets. */
export function richText(prng: Prng, types: readonly EntityType[], userIds: string[]): { text: string; entities: Entity[] } {
  let text = prng.pick(PREFIXES) + `${prng.pick(WORDS)} ${prng.pick(WORDS)}: `;
  const entities: Entity[] = [];
  for (const t of types) {
    const s = segmentFor(t, prng, userIds);
    if (s.entity) entities.push({ ...s.entity, offset: text.length, length: s.text.length } as Entity);
    // Telegram nests styles: the same range may also be italic, underlined... (a second entity over it).
    if (STYLES.includes(t) && prng.chance(0.3)) {
      entities.push({ type: prng.pick(STYLES.filter((x) => x !== t)), offset: text.length, length: s.text.length });
    }
    text += s.text + prng.pick([" ", ", ", " and ", "\n"]);
  }
  text += prng.pick(WORDS);
  return { text, entities };
}

function someEntityTypes(prng: Prng): EntityType[] {
  const n = prng.int(0, 4);
  const out = new Set<EntityType>();
  while (out.size < n) out.add(prng.pick(ENTITY_KINDS));
  return [...out];
}

function caption(prng: Prng, userIds: string[]): { text: string; entities: Entity[] } {
  if (prng.chance(0.3)) return { text: "", entities: [] };
  const t = richText(prng, someEntityTypes(prng).slice(0, 2), userIds);
  // Some captions are near the 1024 limit, so caption templates and limits are exercised.
  return prng.chance(0.04) ? padded(t, prng.int(900, 1024), prng) : t;
}

function mediaSpec(kind: MediaKind, prng: Prng, big: number | undefined): MediaSpec {
  const seed = prng.int(1, 2 ** 31 - 1);
  const dims = prng.pick([[1280, 720], [1920, 1080], [720, 1280], [1080, 1080], [640, 480]] as const);
  switch (kind) {
    case "photo": return { kind, seed, width: dims[0], height: dims[1], size: prng.int(30_000, 250_000), spoiler: prng.chance(0.05) || undefined };
    case "video": return {
      kind, seed, width: dims[0], height: dims[1], size: big ?? prng.int(200_000, 2_500_000), duration: prng.int(10, 6000) / 10,
      supportsStreaming: prng.chance(0.7), nosound: prng.chance(0.1) || undefined, thumbnail: true, fileName: `clip${prng.int(1, 999)}.mp4`,
    };
    case "document": return prng.chance(0.3)
      ? { kind, seed, mimeType: "image/jpeg", fileName: `scan${prng.int(1, 99)}.jpg`, width: dims[0], height: dims[1], size: prng.int(50_000, 400_000), thumbnail: prng.chance(0.5) }
      : { kind, seed, mimeType: prng.pick(["application/pdf", "application/zip", "text/plain"]), fileName: `${prng.pick(WORDS)}.${prng.pick(["pdf", "zip", "txt"])}`, size: big ?? prng.int(5_000, 900_000) };
    case "audio": return { kind, seed, duration: prng.int(60, 400), performer: prng.pick(["Nina", "The Relays", "Quartet"]), title: `${prng.pick(WORDS)} song`, size: prng.int(300_000, 1_500_000), thumbnail: prng.chance(0.3) };
    case "voice": return { kind, seed, duration: prng.int(1, 60), waveform: Buffer.from(Array.from({ length: 63 }, () => prng.int(0, 255))).toString("base64"), size: prng.int(5_000, 80_000) };
    case "videoNote": return { kind, seed, duration: prng.int(2, 60), size: prng.int(100_000, 800_000), thumbnail: true };
    case "animation": return { kind, seed, width: dims[0], height: dims[1], duration: prng.int(1, 10), size: prng.int(50_000, 600_000), thumbnail: true };
    case "sticker": return { kind, seed, stickerAlt: prng.pick(["🙂", "🔥", "👍", "🐱"]), size: prng.int(10_000, 60_000), thumbnail: false };
    case "poll": {
      const quiz = prng.chance(0.4);
      const n = prng.int(2, 5);
      const answers = Array.from({ length: n }, (_, i) => ({ text: `${prng.pick(WORDS)} ${i + 1}`, option: Buffer.from([i]).toString("hex") }));
      return {
        kind, poll: {
          question: `Which ${prng.pick(WORDS)}?`, answers, quiz: quiz || undefined, multipleChoice: !quiz && prng.chance(0.3) ? true : undefined,
          publicVoters: prng.chance(0.2) || undefined, correctAnswers: quiz ? [answers[prng.int(0, n - 1)]!.option] : undefined,
          solution: quiz ? "because" : undefined,
        },
      };
    }
  }
}

function weighted<T extends string>(prng: Prng, weights: [T, number][]): T {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  let r = prng.next() * total;
  for (const [k, w] of weights) if ((r -= w) < 0) return k;
  return weights[weights.length - 1]![0];
}

/** Generate `opts.posts` posts through `add` (which appends one and returns its id); returns the ids in order. */
export function generatePosts(
  opts: GenerateOptions, chat: ChatRec, userIds: string[], add: (spec: PostSpec) => number,
  addService: (action: { action: "pinMessage"; msgId: number } | { action: "editTitle"; title: string }) => void = () => {},
): number[] {
  const prng = new Prng(opts.seed ?? 1);
  const mix = { ...DEFAULT_MIX, ...(opts.mix ?? {}) } as Record<GeneratedKind, number>;
  const singles = (Object.entries(mix) as [GeneratedKind, number][]).filter(([, w]) => w > 0);
  if (singles.length === 0) throw new RangeError("generate: the mix has no kind with a weight");
  const albumKinds: ["visual" | "document" | "audio", number][] = ([
    ["visual", (mix.photo ?? 0) + (mix.video ?? 0)], ["document", mix.document ?? 0], ["audio", mix.audio ?? 0],
  ] as ["visual" | "document" | "audio", number][]).filter(([, w]) => w > 0);
  const albums = (opts.albums ?? true) && albumKinds.length > 0;
  const albumShare = albums ? (opts.albumShare ?? 0.3) : 0;
  const protectedShare = opts.protectedShare ?? 0;
  const replyShare = opts.replyShare ?? 0.1;
  const largeShare = opts.largeFileBytes !== undefined ? (opts.largeFileShare ?? 0.05) : 0;
  let largeGiven = false;
  const ids: number[] = [];
  let date = Math.floor(Date.now() / 1000) - opts.posts * 60;
  let everyEntityDone = false;
  const large = (kind: MediaKind): number | undefined => {
    if (opts.largeFileBytes === undefined || (kind !== "video" && kind !== "document")) return undefined;
    if (!largeGiven || prng.chance(largeShare)) {
      largeGiven = true;
      return opts.largeFileBytes;
    }
    return undefined;
  };
  const common = (): Pick<PostSpec, "noforwards" | "replyTo" | "date"> => ({
    noforwards: prng.chance(protectedShare) || undefined,
    replyTo: ids.length > 0 && prng.chance(replyShare) ? ids[prng.int(0, ids.length - 1)] : undefined,
    date: (date += prng.int(1, 120)),
  });
  const serviceShare = opts.serviceShare ?? 0;
  while (ids.length < opts.posts) {
    const left = opts.posts - ids.length;
    // Service messages between posts (pins, title edits): readers must skip them, also whole pages of them.
    if (ids.length > 0 && prng.chance(serviceShare)) {
      const n = prng.int(1, 3);
      for (let i = 0; i < n; i++) addService(prng.chance(0.5) ? { action: "pinMessage", msgId: ids[prng.int(0, ids.length - 1)]! } : { action: "editTitle", title: `${chat.title} ${prng.int(1, 99)}` });
    }
    // An album of n items stands for n posts: start one with a probability that makes albumShare of posts album items.
    if (left >= 2 && prng.chance(albumShare / (6 - 5 * albumShare))) {
      const cls = weighted(prng, albumKinds);
      const n = prng.int(2, Math.min(10, left));
      const groupedId = (BigInt(13_000_000_000_000_000) + BigInt(prng.int(1, 2 ** 30)) * 4096n + BigInt(ids.length)).toString();
      const base = common();
      for (let i = 0; i < n; i++) {
        const kind: MediaKind = cls === "visual" ? (prng.chance((mix.photo ?? 0) / ((mix.photo ?? 0) + (mix.video ?? 0) || 1)) ? "photo" : "video") : cls;
        const cap = i === 0 || prng.chance(0.2) ? caption(prng, userIds) : { text: "", entities: [] };
        ids.push(add({
          text: cap.text, entities: cap.entities, media: mediaSpec(kind, prng, kind === "photo" ? undefined : large(kind)), groupedId,
          // As on Telegram, an album sent as a reply has the reply on every item.
          noforwards: base.noforwards, replyTo: base.replyTo, date: base.date,
        }));
      }
      continue;
    }
    const kind = weighted(prng, singles);
    if (kind === "text") {
      const types = everyEntityDone ? someEntityTypes(prng) : ENTITY_KINDS;
      everyEntityDone = true;
      const t0 = richText(prng, types, userIds);
      // Some texts are near the 4096 limit.
      const t = prng.chance(0.03) ? padded(t0, prng.int(3500, 4096), prng) : t0;
      ids.push(add({ ...t, ...common() }));
    } else if (kind === "linkPreview") {
      const url = `https://example.org/${prng.pick(WORDS)}/${prng.int(1, 9999)}`;
      const text = `${prng.pick(PREFIXES)}Read ${url}`;
      const offset = text.indexOf(url);
      ids.push(add({ text, entities: [{ type: "url", offset, length: url.length }], linkPreview: { url, title: `${prng.pick(WORDS)} news`, description: "An article." }, ...common() }));
    } else {
      const cap = kind === "sticker" || kind === "videoNote" || kind === "poll" ? { text: "", entities: [] } : caption(prng, userIds);
      ids.push(add({ ...cap, media: mediaSpec(kind, prng, large(kind)), invertMedia: cap.text !== "" && prng.chance(0.1) ? true : undefined, ...common() }));
    }
  }
  void chat;
  return ids;
}
