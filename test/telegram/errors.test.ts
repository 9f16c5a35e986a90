import { describe, expect, it } from "vitest";
import { Api, errors } from "telegram";
import bigInt from "big-integer";
import { classifyError, classifyName, toRelayError, withTimeout } from "../../src/telegram/errors.js";
import { AccountDead, Fatal, FloodWait, SkipPost, Transient } from "../../src/model/errors.js";

const req = new Api.messages.SendMessage({ peer: new Api.InputPeerEmpty(), message: "", randomId: bigInt(1) });
const rpc = (code: number, name: string) => errors.RPCMessageToError(new Api.RpcError({ errorCode: code, errorMessage: name }), req);

describe("error classification", () => {
  it("flood waits become typed FloodWait with seconds and scope", () => {
    const f = toRelayError(rpc(420, "FLOOD_WAIT_69"), { account: "a", method: "messages.SendMessage" });
    expect(f).toBeInstanceOf(FloodWait);
    expect([(f as FloodWait).seconds, (f as FloodWait).scope, (f as FloodWait).account]).toEqual([69, "account", "a"]);
    const p = toRelayError(rpc(420, "FLOOD_PREMIUM_WAIT_7"), { account: "a", method: "upload.GetFile" }) as FloodWait;
    expect([p.seconds, p.scope]).toEqual([7, "account"]);
    const s = toRelayError(rpc(420, "SLOWMODE_WAIT_30"), { account: "a", method: "send" }) as FloodWait;
    expect(s).toBeInstanceOf(FloodWait);
    expect([s.seconds, s.scope]).toEqual([30, "target"]);
    // A plain RPCError with the name (as a hand-made fake would throw) is read the same way.
    expect(classifyError(new errors.RPCError("FLOOD_WAIT_12", req, 420))).toMatchObject({ kind: "flood", seconds: 12 });
  });

  it("names map to retry / refresh / skip / fatal / account-dead", () => {
    expect(classifyName("FILE_REFERENCE_EXPIRED").kind).toBe("refresh");
    expect(classifyName("FILE_REFERENCE_3_EXPIRED").kind).toBe("refresh");
    expect(classifyName("CHAT_FORWARDS_RESTRICTED").kind).toBe("restricted");
    expect(classifyName("RANDOM_ID_DUPLICATE").kind).toBe("duplicate");
    expect(classifyName("MEDIA_EMPTY").kind).toBe("skip");
    expect(classifyName("TIMEOUT").kind).toBe("retry");
    expect(classifyName("INTERNAL").kind).toBe("retry");
    expect(classifyName("CHANNEL_PRIVATE").kind).toBe("fatal");
    expect(classifyName("CHAT_WRITE_FORBIDDEN").kind).toBe("fatal");
    expect(classifyName("CHAT_SEND_PHOTOS_FORBIDDEN").kind).toBe("fatal");
    expect(classifyName("AUTH_KEY_DUPLICATED").kind).toBe("accountDead");
    expect(classifyName("USER_DEACTIVATED_BAN").kind).toBe("accountDead");
    expect(classifyName("SOMETHING_NEW").kind).toBe("fatal");
  });

  it("typed errors carry the reason", () => {
    const ctx = { account: "a", method: "m", postIds: [5] };
    expect(toRelayError(rpc(400, "MEDIA_EMPTY"), ctx)).toBeInstanceOf(SkipPost);
    expect((toRelayError(rpc(400, "MEDIA_EMPTY"), ctx) as SkipPost).postIds).toEqual([5]);
    expect(toRelayError(rpc(400, "CHANNEL_PRIVATE"), ctx)).toBeInstanceOf(Fatal);
    expect(toRelayError(rpc(401, "AUTH_KEY_UNREGISTERED"), ctx)).toBeInstanceOf(AccountDead);
    expect(toRelayError(rpc(500, "RPC_CALL_FAIL"), ctx)).toBeInstanceOf(Transient);
    expect(toRelayError(new Error("Request was unsuccessful 5 time(s)"), ctx)).toBeInstanceOf(Transient);
  });

  it("our timeout rejects a call that never answers", async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 20, "GetHistory")).rejects.toMatchObject({ reason: "TIMEOUT" });
    await expect(withTimeout(Promise.resolve(3), 1000, "x")).resolves.toBe(3);
  });
});
