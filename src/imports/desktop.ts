/**
 * A Telegram Desktop export as a source `export:PATH`: the folder holding result.json (or the JSON file
 * itself), of one chat or of a whole account (the chat chosen by name or id). Posts come out as the
 * model has them — text and UTF-16 entities, media kinds, albums recognised — and download() serves the
 * exported files in place. What cannot be sent again is reported per post in `report`.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import type { Observable } from "rxjs";
import { loadLocal, pathInside, type LocalFile } from "../archive/local-files.js";
import { pagesOnDemand } from "../archive/pages.js";
import type { Batch, IdRange, Loaded, Media, Post } from "../model/index.js";
import { inRange, UsageError } from "../model/index.js";
import type { Source } from "../ports.js";
import { inferAlbums, type AlbumCandidate } from "./albums.js";
import { desktopMedia, type DesktopMedia } from "./desktop-media.js";
import { isPlaceholder, type DesktopAccountExport, type DesktopChat, type DesktopMessage } from "./desktop-message.js";
import { jpegSize } from "./jpeg.js";
import { parseExportJson } from "./json.js";
import { parseText } from "./text.js";

/** Prefix of export sources. */
export const EXPORT_PREFIX = "export:";

export interface DesktopExportOptions {
  /** A whole-account export's chat: its name, or its id (bare, "-100…" marked, or the old shifted number). */
  readonly chat?: string;
  /** Posts whose file was not exported (a placeholder): send their text alone ("text", default) or skip them. */
  readonly missing?: "text" | "skip";
  /**
   * A file the JSON names but the folder lacks: an error ("error", default: the export is incomplete or
   * the wrong folder), or handled like a file that was not exported ("missing").
   */
  readonly absent?: "error" | "missing";
  /** Recognise albums from consecutive same-second messages (default true). */
  readonly albums?: boolean;
  /** Seconds album members' dates may differ by (default 0). */
  readonly albumWindow?: number;
  /** For exports older than 3.7.6 (no date_unixtime): the exporting machine's UTC offset, minutes (default 0). */
  readonly utcOffsetMinutes?: number;
}

/** What the import noticed, per post. */
export interface ExportReport {
  readonly chat: { readonly name?: string; readonly type: string; readonly id: string };
  /** "shifted": numeric ids of Telegram Desktop before 2.7.2. */
  readonly ids: "bare" | "shifted";
  readonly messages: number;
  posts: number;
  service: number;
  /** Posts whose file is not in the export, and what was done with them. */
  readonly missing: Array<{ postId: number; file: string; reason: string; action: "text" | "skipped" }>;
  /** Posts with media tgrelay cannot send again (contact, location, ...). */
  readonly unsupported: Array<{ postId: number; what: string; action: "text" | "skipped" }>;
  /** Entity types left out (custom emoji: the export keeps a file path instead of the id). */
  readonly droppedEntities: Array<{ postId: number; types: string[] }>;
  /** Albums recognised, as post ids. */
  readonly albums: number[][];
}

/** A Telegram Desktop export read as a Source. Open it with openDesktopExport. */
export class DesktopExportSource implements Source {
  readonly account = "";

  constructor(
    readonly chatId: string,
    /** The folder media paths are relative to. */
    readonly folder: string,
    /** Every post of the export, oldest first. */
    readonly posts: readonly Post[],
    /** Where each post's file is, by post id. */
    private readonly files: ReadonlyMap<number, LocalFile>,
    readonly report: ExportReport,
  ) {}

  /** The posts of `range`, oldest first, a page per demand. */
  read(range: IdRange, demand$: Observable<unknown>): Observable<Post> {
    return pagesOnDemand(async () => this.posts.filter((p) => inRange(p, range)), demand$);
  }

  /** The exported files of the batch, served in place. */
  download(batch: Batch): Observable<Loaded> {
    const files: LocalFile[] = [];
    for (const p of batch.posts) {
      const f = this.files.get(p.id);
      if (f) files.push(f);
    }
    return loadLocal(batch, files);
  }
}

/** The JSON file of "export:PATH": PATH itself if it is a file, else its result.json. */
async function resultFile(spec: string): Promise<string> {
  const p = path.resolve(spec.startsWith(EXPORT_PREFIX) ? spec.slice(EXPORT_PREFIX.length) : spec);
  const st = await fs.stat(p).catch(() => undefined);
  if (!st) throw new UsageError(`export: no such folder: ${p}`);
  if (st.isFile()) return p;
  const json = path.join(p, "result.json");
  if (!(await fs.stat(json).catch(() => undefined))?.isFile()) {
    throw new UsageError(`export: ${p} has no result.json (is it a Telegram Desktop JSON export?)`);
  }
  return json;
}

const SHIFT_USER = 2 ** 32;
const SHIFT_CHAT = 2 ** 33;
const CHANNEL_TYPES = new Set(["private_channel", "public_channel", "private_supergroup", "public_supergroup"]);

/** The bare id of a chat from its exported id (old exports shifted it by 2^32 for users, 2^33 for chats). */
function bareId(chat: DesktopChat, shifted: boolean): number | undefined {
  const id = chat.id;
  if (id === undefined || !shifted) return id;
  const user = chat.type === "personal_chat" || chat.type === "bot_chat" || chat.type === "saved_messages";
  if (user) return id >= SHIFT_USER ? id - SHIFT_USER : id;
  return id >= SHIFT_CHAT ? id - SHIFT_CHAT : id;
}

/** Telegram's marked id ("-100…" channels, "-…" groups, users as they are), tgrelay's chat key. */
function markedId(type: string | undefined, id: number): string {
  if (type !== undefined && CHANNEL_TYPES.has(type)) return `-100${id}`;
  if (type === "private_group") return `-${id}`;
  return String(id);
}

/** Whether a chat's export uses the numeric shifted ids of Telegram Desktop before 2.7.2. */
function usesShiftedIds(chat: DesktopChat): boolean {
  for (const m of chat.messages) {
    if (typeof m.from_id === "number" || typeof m.actor_id === "number") return true;
    if (typeof m.from_id === "string" || typeof m.actor_id === "string" || m.date_unixtime !== undefined) return false;
  }
  // Before 2.4.5 there was no from_id at all; ids were shifted then too.
  return (chat.id ?? 0) >= SHIFT_USER;
}

/** Pick the chat of a single-chat or whole-account export. */
function chooseChat(root: unknown, file: string, wanted: string | undefined): DesktopChat {
  if (typeof root !== "object" || root === null) throw new UsageError(`${file}: not a Telegram Desktop export`);
  const r = root as DesktopChat & DesktopAccountExport & { messages?: unknown };
  if (Array.isArray(r.messages)) {
    if (isTdlShape(r)) throw new UsageError(`${file}: this is a tdl chat export (ids only), not a Telegram Desktop export`);
    return r;
  }
  const list = [...(r.chats?.list ?? []), ...(r.left_chats?.list ?? [])].filter((c) => Array.isArray(c.messages));
  if (!r.chats && !r.left_chats) throw new UsageError(`${file}: not a Telegram Desktop export (no messages and no chats)`);
  const names = list.map((c) => `${c.name ?? "(no name)"} (${c.id})`);
  const shown = names.slice(0, 20).join(", ") + (names.length > 20 ? ", ..." : "");
  if (wanted === undefined) {
    if (list.length === 1) return list[0]!;
    throw new UsageError(`${file}: a whole-account export of ${list.length} chats: choose one by name or id (${shown})`);
  }
  const byId = list.filter((c) => {
    const bare = bareId(c, usesShiftedIds(c));
    return [String(c.id), String(bare), bare !== undefined ? markedId(c.type, bare) : ""].includes(wanted);
  });
  if (byId.length === 1) return byId[0]!;
  let byName = list.filter((c) => c.name === wanted);
  if (byName.length === 0) byName = list.filter((c) => c.name?.toLowerCase() === wanted.toLowerCase());
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) {
    throw new UsageError(`${file}: ${byName.length} chats are named "${wanted}": choose by id (${byName.map((c) => c.id).join(", ")})`);
  }
  throw new UsageError(`${file}: no chat "${wanted}" in this export (it has: ${shown})`);
}

function isTdlShape(r: { name?: unknown; type?: unknown; messages?: unknown }): boolean {
  const first = (r.messages as unknown[])[0] as Record<string, unknown> | undefined;
  return r.name === undefined && r.type === undefined && first !== undefined && typeof first.date === "number";
}

/** Unix seconds of a message: date_unixtime when present, else `date` read at the given UTC offset. */
function unixDate(m: DesktopMessage, utcOffsetMinutes: number): number {
  if (m.date_unixtime !== undefined && /^\d+$/.test(String(m.date_unixtime))) return Number(m.date_unixtime);
  const t = Date.parse(`${m.date}Z`);
  if (Number.isNaN(t)) throw new UsageError(`message ${m.id}: unreadable date ${JSON.stringify(m.date)}`);
  return Math.floor(t / 1000) - utcOffsetMinutes * 60;
}

/** One message on its way to a post. */
interface Draft {
  post: Post;
  readonly media: DesktopMedia;
  file?: LocalFile;
  /** Why its file is not available, if it should have one. */
  missing?: { file: string; reason: string };
  readonly candidate: AlbumCandidate;
}

/**
 * Open "export:PATH". Reads and checks the whole JSON (malformed JSON, an unknown chat and, unless
 * `absent: "missing"`, a named file that is not there are UsageErrors), and recognises albums.
 */
export async function openDesktopExport(spec: string, options: DesktopExportOptions = {}): Promise<DesktopExportSource> {
  const file = await resultFile(spec);
  const folder = path.dirname(file);
  const chat = chooseChat(parseExportJson(await fs.readFile(file, "utf8"), file), file, options.chat);
  if (!Array.isArray(chat.messages)) throw new UsageError(`${file}: the chat has no messages array`);
  const shifted = usesShiftedIds(chat);
  const bare = bareId(chat, shifted);
  const chatId = bare !== undefined ? markedId(chat.type, bare) : EXPORT_PREFIX + file;
  const missingMode = options.missing ?? "text";
  const offset = options.utcOffsetMinutes ?? 0;

  const report: ExportReport = {
    chat: { ...(chat.name ? { name: chat.name } : {}), type: chat.type ?? "unknown", id: chatId },
    ids: shifted ? "shifted" : "bare",
    messages: chat.messages.length,
    posts: 0,
    service: 0,
    missing: [],
    unsupported: [],
    droppedEntities: [],
    albums: [],
  };

  // Ascending id order (the writer's order; hand-edited files may not keep it).
  const messages = [...chat.messages].sort((a, b) => a.id - b.id);
  const drafts: Draft[] = [];
  for (const m of messages) {
    if (typeof m !== "object" || m === null || typeof m.id !== "number") {
      throw new UsageError(`${file}: a message without a numeric id`);
    }
    if (m.type === "service") {
      report.service++;
      continue;
    }
    if (m.type !== "message") {
      report.unsupported.push({ postId: m.id, what: `message type ${m.type}`, action: "skipped" });
      continue;
    }
    drafts.push(await draftOf(m, chatId, folder, file, options, offset, report));
  }

  // Albums are recognised on the messages as exported: a member whose file is missing still counts.
  const albums = options.albums === false ? [] : inferAlbums(drafts.map((d) => d.candidate), { window: options.albumWindow ?? 0 });
  const albumOf = new Map<number, number>();
  albums.forEach((a, k) => a.forEach((i) => albumOf.set(i, k)));

  // Posts without their file become text or are skipped; unsupported media keeps its text.
  const kept: Array<{ draft: Draft; album?: number }> = [];
  drafts.forEach((d, i) => {
    if (d.media.type === "unsupported") {
      const action = d.post.text !== "" ? "text" : "skipped";
      report.unsupported.push({ postId: d.post.id, what: d.media.what, action });
      if (action === "skipped") return;
    } else if (d.missing) {
      const action = missingMode === "text" && d.post.text !== "" ? "text" : "skipped";
      report.missing.push({ postId: d.post.id, file: d.missing.file, reason: d.missing.reason, action });
      if (action === "skipped") return;
      const { media: _media, ...textOnly } = d.post;
      d.post = textOnly;
      kept.push({ draft: d }); // a text post leaves its album
      return;
    }
    const album = albumOf.get(i);
    kept.push(album === undefined ? { draft: d } : { draft: d, album });
  });

  // An album is each run of kept members that nothing else interrupts; a run of one is a single post.
  for (let i = 0; i < kept.length; ) {
    const a = kept[i]!.album;
    let j = i + 1;
    while (a !== undefined && j < kept.length && kept[j]!.album === a) j++;
    if (a !== undefined && j - i > 1) {
      const groupedId = String(kept[i]!.draft.post.id);
      for (let k = i; k < j; k++) kept[k]!.draft.post = { ...kept[k]!.draft.post, groupedId };
      report.albums.push(kept.slice(i, j).map((x) => x.draft.post.id));
    }
    i = j;
  }

  const posts = kept.map((k) => k.draft.post);
  const files = new Map<number, LocalFile>();
  for (const k of kept) if (k.draft.file && k.draft.post.media) files.set(k.draft.post.id, k.draft.file);
  report.posts = posts.length;
  return new DesktopExportSource(chatId, folder, posts, files, report);
}

/** A message read into a draft post: text, media, its file checked on disk. */
async function draftOf(
  m: DesktopMessage,
  chatId: string,
  folder: string,
  jsonFile: string,
  options: DesktopExportOptions,
  utcOffset: number,
  report: ExportReport,
): Promise<Draft> {
  const text = parseText(m.text, m.text_entities);
  if (text.dropped.length > 0) report.droppedEntities.push({ postId: m.id, types: [...new Set(text.dropped)] });
  const date = unixDate(m, utcOffset);
  const media = desktopMedia(m);
  let post: Post = {
    chatId,
    id: m.id,
    date,
    text: text.text,
    entities: text.entities,
    noforwards: false,
    // The export drops link previews; a text post with a link most likely showed one.
    linkPreview: media.type !== "media" && text.entities.some((e) => e.type === "url" || e.type === "textUrl"),
    ...(m.reply_to_message_id !== undefined && m.reply_to_peer_id === undefined ? { replyTo: m.reply_to_message_id } : {}),
    ...(m.author ? { postAuthor: m.author } : {}),
  };
  const sender = JSON.stringify([m.from_id ?? m.from ?? null, m.author, m.forwarded_from, m.saved_from, m.via_bot, m.reply_to_message_id, m.reply_to_peer_id]);
  const candidate: AlbumCandidate = { id: m.id, date, sender, ...(media.type === "media" && media.album ? { album: media.album } : {}) };
  const draft: Draft = { post, media, candidate };
  if (media.type !== "media") return draft;

  let mediaOut: Media = media.media;
  if (media.absentReason) {
    draft.missing = { file: "", reason: media.absentReason };
  } else if (media.file !== undefined) {
    if (isPlaceholder(media.file)) {
      draft.missing = { file: media.file, reason: media.file.replace(/^\(|\)$/g, "") };
    } else {
      const abs = await pathInside(folder, media.file);
      if (abs === undefined) throw new UsageError(`${jsonFile}: message ${m.id} names ${media.file}, which is outside the export folder`);
      const st = await fs.stat(abs).catch(() => undefined);
      if (!st?.isFile()) {
        if ((options.absent ?? "error") === "error") {
          throw new UsageError(`${jsonFile}: message ${m.id} names ${media.file}, which is not there`);
        }
        draft.missing = { file: media.file, reason: "not in the export folder" };
      } else {
        mediaOut = { ...mediaOut, size: st.size };
        let thumbPath: string | undefined;
        if (media.thumb !== undefined && !isPlaceholder(media.thumb)) {
          const t = await pathInside(folder, media.thumb);
          if (t === undefined) throw new UsageError(`${jsonFile}: message ${m.id} names ${media.thumb}, which is outside the export folder`);
          const bytes = await fs.readFile(t).catch(() => undefined);
          if (bytes) {
            thumbPath = t;
            const dims = jpegSize(bytes);
            mediaOut = { ...mediaOut, thumbnail: { width: dims?.width ?? 0, height: dims?.height ?? 0, size: bytes.length } };
          } else if ((options.absent ?? "error") === "error") {
            throw new UsageError(`${jsonFile}: message ${m.id} names ${media.thumb}, which is not there`);
          }
        }
        draft.file = { postId: m.id, path: abs, ...(thumbPath ? { thumbPath } : {}) };
      }
    }
  }
  post = { ...post, media: mediaOut };
  draft.post = post;
  return draft;
}
