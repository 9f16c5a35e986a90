import { describe, expect, it } from "vitest";
import { chooseStrategy } from "../../src/telegram/strategy.js";
import { postFromMessage } from "../../src/telegram/convert.js";
import { matchDelivered } from "../../src/telegram/send.js";
import { processPage } from "../../src/telegram/read.js";
import { Api } from "telegram";
import bigInt from "big-integer";
import { message, photo } from "./tl.js";

const post = (id: number, noforwards = false, chatNoforwards = false) =>
  postFromMessage(message(id, { noforwards, media: new Api.MessageMediaPhoto({ photo: photo(id) }) }), "-1001001", chatNoforwards);

describe("strategy per post (cases 29, 30)", () => {
  it("auto: copy where allowed, reupload where the message is protected", () => {
    expect(chooseStrategy([post(410)], { mode: "auto" }).strategy).toBe("copy");
    expect(chooseStrategy([post(411, true)], { mode: "auto" }).strategy).toBe("reupload");
    expect(chooseStrategy([post(412)], { mode: "auto", prefer: "forward" }).strategy).toBe("forward");
  });
  it("auto: the chat-level flag alone also means reupload", () => {
    expect(chooseStrategy([post(1, false, true)], { mode: "auto" }).strategy).toBe("reupload");
  });
  it("an album with one protected item is reuploaded whole, never split", () => {
    const c = chooseStrategy([post(1), post(2, true), post(3)], { mode: "auto" });
    expect(c.strategy).toBe("reupload");
    expect(c.send.map((p) => p.id)).toEqual([1, 2, 3]);
  });
  it("skip-protected leaves protected posts out with a reason", () => {
    const c = chooseStrategy([post(1), post(2, true)], { mode: "auto", skipProtected: true });
    expect(c.send.map((p) => p.id)).toEqual([1]);
    expect(c.skipped).toEqual([{ postId: 2, reason: expect.stringMatching(/protected/) }]);
  });
  it("forward/copy modes never move bytes: protected posts are skipped, stated", () => {
    const c = chooseStrategy([post(1, true)], { mode: "forward" });
    expect(c.send).toEqual([]);
    expect(c.skipped[0]!.reason).toMatch(/mode forward/);
  });
  it("auto preferring forward still copies replies (a forward cannot carry the reply link)", () => {
    const reply = { ...post(7), replyTo: 3 };
    expect(chooseStrategy([reply], { mode: "auto", prefer: "forward" }).strategy).toBe("copy");
    expect(chooseStrategy([reply], { mode: "forward" }).strategy).toBe("forward");
  });
  it("an edited text is never forwarded (a forward would send the original)", () => {
    const p = { ...post(5), text: "edited" };
    expect(chooseStrategy([p], { mode: "forward" }).strategy).toBe("copy");
    expect(chooseStrategy([p], { mode: "auto", prefer: "forward" }).strategy).toBe("copy");
  });
  it("posts without the account's own message handle are reuploaded", () => {
    const { ref: _r, ...bare } = post(6);
    expect(chooseStrategy([bare], { mode: "copy" }).strategy).toBe("reupload");
  });
});

describe("finding what a duplicate random id posted", () => {
  const m = (id: number, text: string, media?: Api.TypeMessageMedia, fwd?: number) => {
    const x = message(id, { message: text, media });
    if (fwd !== undefined) x.fwdFrom = new Api.MessageFwdHeader({ date: 1, channelPost: fwd });
    return x;
  };
  it("matches the newest consecutive run by text and kind", () => {
    const ph = () => new Api.MessageMediaPhoto({ photo: photo() });
    const hist = [m(9, "a", ph()), m(10, "", ph()), m(11, "x"), m(12, "a", ph()), m(13, "", ph())];
    const e = (text: string, kind: string) => ({ postId: 1, randomId: bigInt(1), text, kind });
    expect(matchDelivered(hist, [e("a", "photo"), e("", "photo")])).toEqual([12, 13]);
    expect(matchDelivered(hist, [e("zz", "photo")])).toBeUndefined();
  });
  it("matches forwards by their origin", () => {
    const hist = [m(20, "t", undefined, 100), m(21, "t", undefined, 101)];
    expect(matchDelivered(hist, [{ postId: 101, randomId: bigInt(1), text: "t", kind: "text", forwardOf: { chatId: "c", id: 101 } }])).toEqual([21]);
  });
});

describe("reading a page", () => {
  const svc = (id: number) => new Api.MessageService({ id, peerId: new Api.PeerChannel({ channelId: bigInt(1001) }), date: 1, action: new Api.MessageActionChannelCreate({ title: "x" }) });
  it("sorts oldest first, skips and counts service messages, stops at the range end", () => {
    const msgs = [message(5), svc(4), message(3), message(2)];
    const out = processPage(msgs, 2, 100, { toId: 4 }, "-1001001", false);
    expect(out.posts.map((p) => p.id)).toEqual([2, 3]);
    expect(out.service).toBe(1);
    expect(out.done).toBe(true);
  });
  it("a full page is not the end; the next page starts after its last id", () => {
    const msgs = [message(3), message(4)];
    const out = processPage(msgs, 3, 2, {}, "c", false);
    expect([out.done, out.nextId]).toEqual([false, 5]);
  });
  it("date range: before `since` skipped, after `until` ends", () => {
    const msgs = [message(1, { date: 10 }), message(2, { date: 20 }), message(3, { date: 30 })];
    const out = processPage(msgs, 1, 3, { since: 15, until: 25 }, "c", false);
    expect(out.posts.map((p) => p.id)).toEqual([2]);
    expect(out.done).toBe(true);
  });
  it("unsupported media kinds are counted, not emitted", () => {
    const geo = message(1, { media: new Api.MessageMediaGeo({ geo: new Api.GeoPointEmpty() }) });
    const out = processPage([geo], 1, 100, {}, "c", false);
    expect(out.posts).toEqual([]);
    expect(out.unsupported).toEqual([1]);
  });
});
