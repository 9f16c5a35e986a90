// A small world shared by the emulator tests: two accounts on different DCs, a public source, a private target.
import { Api, errors, type TelegramClient } from "telegram";
import { expect } from "vitest";
import { Emulator } from "../../src/emulator/index.js";

export function smallWorld(opts: { path?: string } = {}) {
  const emu = Emulator.open({ seed: 42, ...opts });
  emu.addAccount({ name: "alice", dc: 2 });
  emu.addAccount({ name: "bob", dc: 2 });
  emu.addAccount({ name: "carol", dc: 1, premium: true });
  const src = emu.createChat({ title: "Source", username: "source_chan", owner: "alice", members: ["bob"], dc: 4 });
  const dst = emu.createChat({ title: "Target", owner: "alice", admins: ["carol"], members: ["bob"] });
  return { emu, src, dst };
}

/** The input peer of a chat as `client` sees it (resolved through GramJS, so access hashes are the client's). */
export async function peerOf(client: TelegramClient, chatId: string): Promise<Api.InputPeerChannel> {
  return (await client.getInputEntity(chatId)) as Api.InputPeerChannel;
}

/** Await `p` and expect an RPC error with exactly this errorMessage (or, for flood waits, this class and seconds). */
export async function expectRpc(p: Promise<unknown>, name: string): Promise<errors.RPCError> {
  try {
    await p;
  } catch (e) {
    const err = e as errors.RPCError;
    const m = /^(FLOOD_WAIT|FLOOD_PREMIUM_WAIT|SLOWMODE_WAIT)_(\d+)$/.exec(name);
    if (m) {
      expect(err).toBeInstanceOf(m[1] === "SLOWMODE_WAIT" ? errors.SlowModeWaitError : errors.FloodWaitError);
      expect((err as errors.FloodWaitError).seconds).toBe(Number(m[2]));
    } else if (/^FILE_MIGRATE_(\d+)$/.test(name)) {
      expect(err).toBeInstanceOf(errors.FileMigrateError);
    } else {
      expect(err.errorMessage, String(err)).toBe(name);
    }
    return err;
  }
  throw new Error(`expected ${name}, but the call succeeded`);
}
