/**
 * The seam between the CLI and whatever gives it accounts: the GramJS adapter on real sessions, the same
 * adapter on emulated clients, or a test's fakes. A job needs, per account, to resolve chats and to get a
 * Source and Sinks for them.
 */
import type { Sink, Source } from "../ports.js";
import type { Mode } from "./resolve.js";

/** A resolved Telegram chat. */
export interface ChatHandle {
  /** Marked id, "-100…" for channels. */
  readonly chatId: string;
  readonly title?: string;
  readonly username?: string;
  readonly noforwards?: boolean;
  /** Newest message id, when known (a job's range ends there). */
  readonly topId?: number;
  /** The adapter's own chat object. */
  readonly native: unknown;
}

export interface SinkSettings {
  readonly mode: Mode;
  readonly skipProtected: boolean;
  readonly silent: boolean;
  readonly captionPolicy: "split" | "truncate" | "fail";
  /** Captions are edited: forwarding is not possible, copy instead. */
  readonly forceCopy: boolean;
}

/** What one account can do for a job. */
export interface AccountHandle {
  readonly name: string;
  /** Who it is, for `accounts`. */
  readonly self?: { readonly id: string; readonly premium: boolean; readonly bot: boolean; readonly dc: number; readonly name?: string };
  /** Resolve "@name", "t.me/…" or "-100…" (UsageError for a bad reference, Fatal for no access). */
  resolveChat(ref: string): Promise<ChatHandle>;
  /** Why this account cannot post in the chat (asked before a job sends), undefined when it can or cannot tell. */
  postRefusal?(chat: ChatHandle): Promise<string | undefined>;
  /** The newest message id of a chat. */
  newestId(chat: ChatHandle): Promise<number>;
  source(chat: ChatHandle): Source;
  sink(chat: ChatHandle, settings: SinkSettings): Sink;
  close(): Promise<void>;
}
