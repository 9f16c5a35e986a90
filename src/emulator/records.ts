/**
 * The emulator's world as plain JSON records (what the SQLite world file holds). Ids of 64-bit values are
 * decimal strings. TL objects that must come back exactly as sent (document attributes) are kept as TL bytes.
 */
import type { Entity } from "../model/index.js";

export interface AccountRec {
  readonly name: string;
  readonly userId: string;
  readonly dc: number;
  readonly premium: boolean;
  readonly phone: string;
}

export interface ChatRec {
  readonly channelId: string;
  title: string;
  username?: string;
  megagroup: boolean;
  noforwards: boolean;
  owner: string;
  members: string[];
  admins: string[];
  slowModeSeconds: number;
  /** DC where generated media of this chat lives. */
  dc: number;
  date: number;
  pts: number;
  /** The highest message id used so far. */
  topId: number;
}

/** A size of a photo, or a thumbnail of a document, pointing at its bytes. */
export interface SizeRec {
  readonly type: string;
  readonly w: number;
  readonly h: number;
  readonly size: number;
  /** "" for a stripped size, whose few bytes travel inline (base64 in `stripped`) and are never downloaded. */
  readonly fileId: string;
  readonly stripped?: string;
}

export interface PhotoRec {
  readonly id: string;
  readonly dc: number;
  readonly date: number;
  /** Ascending by size; the last is the largest (the photo's "file"). */
  readonly sizes: SizeRec[];
}

export interface DocumentRec {
  readonly id: string;
  readonly dc: number;
  readonly date: number;
  readonly mimeType: string;
  readonly size: number;
  readonly fileId: string;
  /** Base64 of each DocumentAttribute's TL bytes, in the order sent. */
  readonly attributes: string[];
  readonly thumbs: SizeRec[];
  /** Sent as a file (forceFile): shown as a document whatever its attributes. */
  readonly forceFile?: boolean;
  readonly nosound?: boolean;
}

export interface FileRec {
  readonly id: string;
  readonly size: number;
  /** Generated content (nothing stored); absent when the bytes are stored. */
  readonly gen?: { seed: number; header?: string };
  /** Stored as the upload parts it was assembled from (all of partSize but the last); else as 1 MiB chunks. */
  readonly parts?: { account: string; uploadId: string; partSize: number };
}

export interface PollRec {
  readonly id: string;
  readonly question: string;
  readonly answers: { text: string; option: string }[];
  readonly closed?: boolean;
  readonly publicVoters?: boolean;
  readonly multipleChoice?: boolean;
  readonly quiz?: boolean;
  readonly correctAnswers?: string[];
  readonly solution?: string;
  readonly closePeriod?: number;
}

export type MediaRec =
  | { readonly type: "photo"; readonly photoId: string; readonly spoiler?: boolean }
  | { readonly type: "document"; readonly documentId: string; readonly spoiler?: boolean }
  | { readonly type: "poll"; readonly poll: PollRec };

export interface WebPageRec {
  readonly id: string;
  readonly url: string;
  readonly title?: string;
  readonly description?: string;
}

export interface MessageRec {
  readonly id: number;
  readonly date: number;
  /** Account that posted it. */
  readonly sender: string;
  readonly text: string;
  readonly entities: Entity[];
  readonly media?: MediaRec;
  readonly webpage?: WebPageRec;
  readonly groupedId?: string;
  readonly replyTo?: number;
  readonly noforwards: boolean;
  readonly invertMedia?: boolean;
  readonly postAuthor?: string;
  readonly fwdFrom?: { channelId: string; msgId: number; date: number };
  /** A service message (e.g. "channel created"); not a post. */
  readonly service?: { action: "channelCreate"; title: string } | { action: "pinMessage"; msgId: number } | { action: "editTitle"; title: string };
}
