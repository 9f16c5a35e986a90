/**
 * Recognising albums in a Telegram Desktop export, which has no album field: album members are
 * consecutive messages sent in the same second, of kinds that may share an album, by the same author
 * (and with the same forward, via-bot and reply fields), at most 10.
 */
import { MAX_ALBUM_SIZE } from "../model/index.js";
import type { AlbumClass } from "./desktop-media.js";

/** What the rule compares between a message and the previous one. */
export interface AlbumCandidate {
  readonly id: number;
  /** Unix seconds. */
  readonly date: number;
  /** Undefined: the message cannot be in an album (text, sticker, GIF, voice, round video, poll...). */
  readonly album?: AlbumClass;
  /** Author, forward, via-bot and reply fields joined: members must agree on all of them. */
  readonly sender: string;
}

export interface AlbumRule {
  /** Seconds two members' dates may differ by (default 0: the server gives album members one date). */
  readonly window?: number;
  /** Largest album (default and at most Telegram's 10). */
  readonly maxSize?: number;
}

/**
 * Split candidates (in ascending id order) into runs; each run of 2 or more is an album. Returns the
 * albums as lists of indexes into `items`.
 */
export function inferAlbums(items: readonly AlbumCandidate[], rule: AlbumRule = {}): number[][] {
  const window = rule.window ?? 0;
  const max = Math.min(rule.maxSize ?? MAX_ALBUM_SIZE, MAX_ALBUM_SIZE);
  const albums: number[][] = [];
  let run: number[] = [];
  const close = (): void => {
    if (run.length > 1) albums.push(run);
    run = [];
  };
  for (let i = 0; i < items.length; i++) {
    const m = items[i]!;
    if (m.album === undefined) {
      close();
      continue;
    }
    const p = run.length > 0 ? items[run[run.length - 1]!]! : undefined;
    const joins =
      p !== undefined &&
      p.album === m.album &&
      m.id === p.id + 1 &&
      Math.abs(m.date - p.date) <= window &&
      m.sender === p.sender &&
      run.length < max;
    if (!joins) close();
    run.push(i);
  }
  close();
  return albums;
}
