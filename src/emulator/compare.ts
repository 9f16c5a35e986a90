/** Comparing two chats read by Emulator.inspect(): what a copy lost, added, reordered or changed. */
import type { CompareOptions, Difference, DifferenceKind, InspectedPost } from "./types.js";

/** Media attributes compared one by one (fileId is left out: a copy may hold new files). */
const MEDIA_FIELDS = [
  "fileName", "mimeType", "size", "width", "height", "duration", "supportsStreaming", "nosound", "performer", "title",
  "waveform", "spoiler", "stickerAlt", "thumbnail", "thumbSha256", "poll",
] as const;

/** A value as a canonical string: object keys sorted; undefined, null, "" and false count as absent. */
function canon(v: unknown): string {
  const absent = (x: unknown) => x === undefined || x === null || x === "" || x === false;
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (x !== null && typeof x === "object") {
      return Object.fromEntries(Object.entries(x).filter(([, y]) => !absent(y)).sort(([a], [b]) => a.localeCompare(b)).map(([k, y]) => [k, walk(y)]));
    }
    return x;
  };
  return absent(v) ? "" : JSON.stringify(walk(v));
}
const same = (a: unknown, b: unknown) => canon(a) === canon(b);
const sortedEntities = (p: InspectedPost) =>
  [...p.entities].sort((a, b) => a.offset - b.offset || a.length - b.length || a.type.localeCompare(b.type)).map(canon);
const label = (p: InspectedPost) => `#${p.id}${p.media ? ` (${p.media.kind})` : ""}`;

function fullKey(p: InspectedPost): string {
  return JSON.stringify([p.media?.kind, p.media?.sha256, canon(p.media?.poll), p.text, sortedEntities(p)]);
}
function contentKey(p: InspectedPost): string {
  return p.media !== undefined ? JSON.stringify([p.media.kind, p.media.sha256, canon(p.media.poll)]) : JSON.stringify(["text", p.text]);
}

/** Pair posts of the two chats: same content first, then same media or text, then what is left in order. */
function pair(expected: readonly InspectedPost[], actual: readonly InspectedPost[]): Map<number, number> {
  const pairs = new Map<number, number>(); // expected index -> actual index
  const used = new Set<number>();
  for (const key of [fullKey, contentKey]) {
    const pool = new Map<string, number[]>();
    actual.forEach((p, j) => {
      if (used.has(j)) return;
      const k = key(p);
      pool.set(k, [...(pool.get(k) ?? []), j]);
    });
    expected.forEach((p, i) => {
      if (pairs.has(i)) return;
      const list = pool.get(key(p));
      const j = list?.shift();
      if (j !== undefined) {
        pairs.set(i, j);
        used.add(j);
      }
    });
  }
  // Leftovers of the same kind pair in order: a changed post, not one missing and one extra.
  const restE = expected.map((_, i) => i).filter((i) => !pairs.has(i));
  const restA = actual.map((_, j) => j).filter((j) => !used.has(j));
  const sameCount = restE.length === restA.length;
  for (const i of restE) {
    const e = expected[i]!;
    const kind = e.media?.kind ?? "text";
    // The nearest leftover of the same kind; any nearest one when the counts match (a changed kind).
    const candidates = restA.filter((j) => (actual[j]!.media?.kind ?? "text") === kind);
    const from = candidates.length > 0 ? candidates : sameCount ? restA : [];
    if (from.length === 0) continue;
    const j = from.reduce((best, c) => (Math.abs(actual[c]!.position - e.position) < Math.abs(actual[best]!.position - e.position) ? c : best));
    pairs.set(i, j);
    restA.splice(restA.indexOf(j), 1);
  }
  return pairs;
}

/** Indices (into `seq`) of a longest strictly increasing subsequence. */
function longestIncreasing(seq: number[]): Set<number> {
  const tails: number[] = [];
  const prev: number[] = new Array(seq.length).fill(-1);
  for (let i = 0; i < seq.length; i++) {
    let lo = 0, hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]!]! < seq[i]!) lo = mid + 1; else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const out = new Set<number>();
  for (let k = tails.length > 0 ? tails[tails.length - 1]! : -1; k >= 0; k = prev[k]!) out.add(k);
  return out;
}

function albums(posts: readonly InspectedPost[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  posts.forEach((p, i) => {
    if (p.groupedId !== undefined) m.set(p.groupedId, [...(m.get(p.groupedId) ?? []), i]);
  });
  return m;
}

/**
 * Every difference between an expected chat (e.g. the source) and an actual one (e.g. its copy): posts missing,
 * extra or reordered; albums split or merged (by membership, not groupedId values); changed kind, attribute,
 * caption, entities, bytes, reply (by mapped position), link preview or protection. None between a chat and itself.
 */
export function compareChats(expected: readonly InspectedPost[], actual: readonly InspectedPost[], opts: CompareOptions = {}): Difference[] {
  const ignore = new Set(opts.ignore ?? []);
  const out: Difference[] = [];
  const add = (d: Difference) => {
    if (!ignore.has(d.kind) && (d.field === undefined || !ignore.has(d.field))) out.push(d);
  };
  const pairs = pair(expected, actual);
  const back = new Map([...pairs].map(([i, j]) => [j, i]));

  expected.forEach((p, i) => {
    if (!pairs.has(i)) add({ kind: "missing", expectedId: p.id, message: `${label(p)} is missing` });
  });
  actual.forEach((p, j) => {
    if (!back.has(j)) add({ kind: "extra", actualId: p.id, message: `${label(p)} is extra` });
  });

  const ordered = [...pairs].sort(([a], [b]) => a - b);
  const keep = longestIncreasing(ordered.map(([, j]) => j));
  ordered.forEach(([i, j], k) => {
    if (!keep.has(k)) add({ kind: "reordered", expectedId: expected[i]!.id, actualId: actual[j]!.id, message: `${label(expected[i]!)} is out of order (at #${actual[j]!.id})` });
  });

  // Albums: each expected album must map onto exactly one actual album with the same members, and back.
  for (const [, members] of albums(expected)) {
    const mapped = members.filter((i) => pairs.has(i)).map((i) => actual[pairs.get(i)!]!);
    const groups = new Set(mapped.map((p) => p.groupedId ?? `single:${p.id}`));
    if (groups.size > 1 || (mapped.length > 1 && mapped.some((p) => p.groupedId === undefined))) {
      add({ kind: "albumSplit", expectedId: expected[members[0]!]!.id, expected: members.map((i) => expected[i]!.id), actual: mapped.map((p) => p.id), message: `album of #${members.map((i) => expected[i]!.id).join(",")} is split in the copy` });
    }
  }
  for (const [, members] of albums(actual)) {
    const mapped = members.filter((j) => back.has(j)).map((j) => expected[back.get(j)!]!);
    const groups = new Set(mapped.map((p) => p.groupedId ?? `single:${p.id}`));
    if (groups.size > 1) {
      add({ kind: "albumMerged", actualId: actual[members[0]!]!.id, expected: mapped.map((p) => p.id), actual: members.map((j) => actual[j]!.id), message: `album #${members.map((j) => actual[j]!.id).join(",")} merges posts of different albums` });
    }
  }

  const expectedIndexById = new Map(expected.map((p, i) => [p.id, i]));
  for (const [i, j] of ordered) {
    const e = expected[i]!;
    const a = actual[j]!;
    const at = { expectedId: e.id, actualId: a.id };
    if ((e.media?.kind ?? "text") !== (a.media?.kind ?? "text")) {
      add({ kind: "kind", ...at, expected: e.media?.kind ?? "text", actual: a.media?.kind ?? "text", message: `${label(e)} became ${a.media?.kind ?? "text"} (#${a.id})` });
      continue;
    }
    if (e.text !== a.text) add({ kind: "caption", ...at, expected: e.text, actual: a.text, message: `${label(e)} text differs: ${JSON.stringify(e.text.slice(0, 60))} vs ${JSON.stringify(a.text.slice(0, 60))}` });
    if (!same(sortedEntities(e), sortedEntities(a))) add({ kind: "entities", ...at, expected: e.entities, actual: a.entities, message: `${label(e)} entities differ` });
    if (e.media !== undefined && a.media !== undefined) {
      if (e.media.sha256 !== a.media.sha256) add({ kind: "bytes", ...at, expected: e.media.sha256, actual: a.media.sha256, message: `${label(e)} bytes differ` });
      for (const f of MEDIA_FIELDS) {
        const ev = (e.media as unknown as Record<string, unknown>)[f];
        const av = (a.media as unknown as Record<string, unknown>)[f];
        if (!same(ev, av)) add({ kind: "attribute", field: f, ...at, expected: ev, actual: av, message: `${label(e)} ${f}: ${JSON.stringify(ev)} vs ${JSON.stringify(av)}` });
      }
    }
    if ((e.invertMedia ?? false) !== (a.invertMedia ?? false)) add({ kind: "attribute", field: "invertMedia", ...at, expected: e.invertMedia ?? false, actual: a.invertMedia ?? false, message: `${label(e)} invertMedia differs` });
    if (e.linkPreview !== a.linkPreview) add({ kind: "linkPreview", ...at, expected: e.linkPreview, actual: a.linkPreview, message: `${label(e)} link preview ${e.linkPreview ? "lost" : "added"}` });
    if (e.noforwards !== a.noforwards) add({ kind: "noforwards", ...at, expected: e.noforwards, actual: a.noforwards, message: `${label(e)} protection differs` });
    // Replies compare by mapped position: the copy must reply to the copy of the original's target.
    const target = e.replyTo !== undefined ? expectedIndexById.get(e.replyTo) : undefined;
    const want = target !== undefined && pairs.has(target) ? actual[pairs.get(target)!]!.id : undefined;
    if (e.replyTo !== undefined && target === undefined) continue; // the target is outside the compared range
    if (want !== a.replyTo) add({ kind: "reply", ...at, expected: want, actual: a.replyTo, message: `${label(e)} replies to ${a.replyTo ?? "nothing"}, expected ${want ?? "nothing"}` });
  }
  return out;
}

/** One line per difference, for test failure messages and the CLI. */
export function formatDifferences(diffs: readonly Difference[]): string {
  if (diffs.length === 0) return "no differences";
  const counts = new Map<DifferenceKind, number>();
  for (const d of diffs) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);
  const head = [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
  return `${diffs.length} differences (${head}):\n${diffs.map((d) => `- ${d.kind}: ${d.message}`).join("\n")}`;
}
