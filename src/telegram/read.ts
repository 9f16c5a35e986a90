/**
 * Reading history oldest first, one page per demand (lazy), paced by our own limiter. Service messages and
 * media kinds the model cannot carry are skipped and counted; a page with nothing to emit reads on by itself,
 * so every demand ends in posts or completion.
 */
import { Observable } from "rxjs";
import { Api } from "telegram";
import type { IdRange, Post } from "../model/post.js";
import { isUnsupportedMedia, markedChatId, postFromMessage } from "./convert.js";
import { historyFromDateRequest, historyPageRequest, HISTORY_PAGE_LIMIT } from "./requests.js";
import { toRelayError } from "./errors.js";
import type { AccountContext, ChatInfo } from "./context.js";

/** Counters of one source. */
export interface ReadStats {
  read: number;
  service: number;
  unsupported: number;
  pages: number;
}

/** Messages and chats of a history answer. */
export function pageContents(res: Api.messages.TypeMessages): { messages: Api.TypeMessage[]; chats: Api.TypeChat[] } {
  if (res instanceof Api.messages.MessagesNotModified) return { messages: [], chats: [] };
  return { messages: res.messages, chats: res.chats };
}

/** The chat's own entry in an answer (its noforwards flag may have changed since it was resolved). */
export function chatNoforwards(chats: readonly Api.TypeChat[], chatId: string, fallback: boolean): boolean {
  for (const c of chats) {
    if ((c instanceof Api.Channel || c instanceof Api.Chat) && markedChatId(c) === chatId) return Boolean(c.noforwards);
  }
  return fallback;
}

/** What one page gives: posts to emit, where the next page starts, and whether the range is exhausted. */
export interface PageOutcome {
  readonly posts: Post[];
  readonly nextId: number;
  readonly done: boolean;
  readonly service: number;
  readonly unsupported: number[];
}

/** Turn one page (any order) into the posts of `range` from `fromId` on, oldest first. Pure. */
export function processPage(
  messages: readonly Api.TypeMessage[],
  fromId: number,
  limit: number,
  range: IdRange,
  chatId: string,
  noforwards: boolean,
): PageOutcome {
  const sorted = messages.filter((m) => m.id >= fromId).sort((a, b) => a.id - b.id);
  const posts: Post[] = [];
  const unsupported: number[] = [];
  let service = 0;
  let nextId = fromId;
  let done = messages.length < limit || sorted.length === 0;
  for (const m of sorted) {
    if (range.toId !== undefined && m.id > range.toId) {
      done = true;
      break;
    }
    nextId = m.id + 1;
    if (!(m instanceof Api.Message)) {
      service++;
      continue;
    }
    if (range.until !== undefined && m.date > range.until) {
      done = true; // dates grow with ids
      break;
    }
    if (range.since !== undefined && m.date < range.since) continue;
    if (isUnsupportedMedia(m.media)) {
      unsupported.push(m.id);
      continue;
    }
    posts.push(postFromMessage(m, chatId, noforwards));
  }
  return { posts, nextId, done, service, unsupported };
}

/** Source.read for a Telegram chat. */
export function readHistory(
  ctx: AccountContext,
  chat: ChatInfo,
  range: IdRange,
  demand$: Observable<unknown>,
  stats: ReadStats,
  pageSize = HISTORY_PAGE_LIMIT,
): Observable<Post> {
  return new Observable<Post>((subscriber) => {
    const abort = new AbortController();
    let nextId = Math.max(1, range.fromId ?? 1);
    let noforwards = chat.noforwards;
    let pending = 0;
    let busy = false;
    let finished = false;
    let first = true;

    const pump = async () => {
      if (busy) return;
      busy = true;
      try {
        while (pending > 0 && !finished && !abort.signal.aborted) {
          pending--;
          // One demand = one page with something in it, or the end.
          for (;;) {
            await ctx.historyPacer.take(abort.signal);
            // A date range without a start id starts at its date instead of reading from the first message.
            const byDate = first && range.since !== undefined && range.fromId === undefined;
            first = false;
            const req = byDate ? historyFromDateRequest(chat.peer, range.since!, pageSize) : historyPageRequest(chat.peer, nextId, pageSize);
            const res = await ctx.call<Api.messages.TypeMessages>(req, { signal: abort.signal });
            stats.pages++;
            const { messages, chats } = pageContents(res);
            noforwards = chatNoforwards(chats, chat.chatId, noforwards);
            const out = processPage(messages, nextId, Math.min(pageSize, HISTORY_PAGE_LIMIT), range, chat.chatId, noforwards);
            stats.service += out.service;
            stats.unsupported += out.unsupported.length;
            if (out.unsupported.length > 0) {
              ctx.log.warn({ account: ctx.name, chat: chat.chatId, ids: out.unsupported }, "posts of a media kind tgrelay cannot copy were left out");
            }
            nextId = Math.max(nextId, out.nextId);
            for (const p of out.posts) {
              if (abort.signal.aborted) return;
              stats.read++;
              subscriber.next(p);
            }
            if (out.done) {
              finished = true;
              subscriber.complete();
              return;
            }
            if (out.posts.length > 0) break;
          }
        }
      } catch (e) {
        if (!abort.signal.aborted) subscriber.error(toRelayError(e, { account: ctx.name, method: "messages.GetHistory" }));
      } finally {
        busy = false;
      }
      if (pending > 0 && !finished && !abort.signal.aborted) void pump();
    };

    const demand = demand$.subscribe({
      next: () => {
        pending++;
        void pump();
      },
      error: (e) => subscriber.error(e),
    });
    return () => {
      abort.abort(new Error("read unsubscribed"));
      demand.unsubscribe();
    };
  });
}
