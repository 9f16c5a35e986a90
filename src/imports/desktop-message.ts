/** The shape of Telegram Desktop's JSON export (the keys tgrelay reads), every generation since 2018. */

/** A message object of `messages`. Keys with empty values are left out by the writer. */
export interface DesktopMessage {
  readonly id: number;
  readonly type: "message" | "service" | "unsupported" | string;
  /** Local time of the exporting machine, no offset: "2021-07-14T18:52:46". */
  readonly date: string;
  /** Unix seconds as a string of digits, since 3.7.6. */
  readonly date_unixtime?: string;
  readonly from?: string | null;
  /** "channel123" since 2.7.2; a shifted number from 2.4.5 to 2.7.1. */
  readonly from_id?: string | number;
  readonly author?: string;
  readonly forwarded_from?: string | null;
  readonly saved_from?: string;
  readonly via_bot?: string;
  readonly reply_to_message_id?: number;
  readonly reply_to_peer_id?: string;
  readonly action?: string;
  readonly actor_id?: string | number;
  readonly photo?: string;
  readonly photo_file_size?: number;
  readonly file?: string;
  readonly file_name?: string;
  readonly file_size?: number;
  readonly thumbnail?: string;
  readonly thumbnail_file_size?: number;
  readonly media_type?: string;
  readonly mime_type?: string;
  readonly duration_seconds?: number;
  readonly width?: number;
  readonly height?: number;
  readonly media_spoiler?: boolean;
  readonly self_destruct_period_seconds?: number;
  readonly sticker_emoji?: string;
  readonly performer?: string;
  readonly title?: string;
  readonly poll?: {
    readonly question: unknown;
    readonly closed?: boolean;
    readonly answers?: ReadonlyArray<{ readonly text: unknown }>;
  };
  readonly contact_information?: unknown;
  readonly location_information?: unknown;
  readonly place_name?: string;
  readonly game_title?: string;
  readonly invoice_information?: unknown;
  readonly giveaway_information?: unknown;
  readonly todo_list?: unknown;
  readonly paid_stars_amount?: number;
  readonly text: unknown;
  readonly text_entities?: unknown;
}

/** A chat: the root of a single-chat export, or one item of `chats.list` in a whole-account export. */
export interface DesktopChat {
  readonly name?: string | null;
  readonly type?: string;
  readonly id?: number;
  readonly messages: readonly DesktopMessage[];
}

/** The root of a whole-account export ("Export Telegram data"). */
export interface DesktopAccountExport {
  readonly chats?: { readonly list?: readonly DesktopChat[] };
  readonly left_chats?: { readonly list?: readonly DesktopChat[] };
}

/** The strings that replace a path when the file was not saved; a real path never starts with "(". */
export function isPlaceholder(value: string): boolean {
  return value.startsWith("(");
}
