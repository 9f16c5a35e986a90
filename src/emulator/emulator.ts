import type { TelegramClient } from "telegram";
import bigInt from "big-integer";
import { FaultState, type Faults } from "./faults.js";
import { generatePosts } from "./generate.js";
import { inspectChat } from "./inspect.js";
import { Keys } from "./keys.js";
import type { ChatRec, MessageRec } from "./records.js";
import { Server, type RequestRecord } from "./server.js";
import type { AccountSpec, ChatSpec, ClientOptions, CreatedChat, EmulatorOptions, GenerateOptions, InspectedPost, PostSpec } from "./types.js";
import { wireClient } from "./wire.js";
import { World } from "./world.js";
import { appendPost, appendService } from "./world-build.js";

/**
 * A Telegram at the TL level: accounts, channels, messages, files and Telegram's rules, behind real GramJS
 * TelegramClients with no socket. In memory, or persisted in an SQLite world file (committed after every
 * change) so a killed process can be replaced by a new one against the same world.
 *
 * @example
 * const emu = Emulator.open({ seed: 7 });
 * emu.addAccount({ name: "alice" });
 * const src = emu.createChat({ title: "Source", username: "my_source", owner: "alice" });
 * emu.generate("@my_source", { posts: 50 });
 * const client = emu.client("alice");   // a real TelegramClient
 * for await (const m of client.iterMessages("my_source", { reverse: true, limit: 100 })) console.log(m.id);
 */
export class Emulator {
  /** Scripted faults: flood waits, latency, bandwidth, file reference expiry, dropped connections, slow mode. */
  readonly faults: Faults;
  private readonly world: World;
  private readonly server: Server;
  private readonly now: () => number;

  private constructor(world: World, opts: EmulatorOptions) {
    this.world = world;
    this.now = opts.now ?? Date.now;
    const stored = world.meta("seed");
    const seed = stored !== undefined ? Number(stored) : (opts.seed ?? 1);
    if (stored === undefined) world.setMeta("seed", String(seed));
    const faults = new FaultState(seed, (chat, seconds) => {
      const c = this.chatRec(chat);
      c.slowModeSeconds = seconds;
      this.world.putChat(c);
    });
    this.faults = faults;
    this.server = new Server(world, new Keys(`tgrelay-emulator:${seed}`), this.now, faults);
  }

  /** Open a world: in memory, or the SQLite file at `path` (created if absent, continued if present). */
  static open(opts: EmulatorOptions = {}): Emulator {
    return new Emulator(new World(opts.path), opts);
  }

  /** The world's seed (stored in the world file). */
  get seed(): number {
    return Number(this.world.meta("seed"));
  }

  /** Add an account; a no-op when an account of that name exists (so a reopened world can run the same setup). */
  addAccount(spec: AccountSpec): void {
    if (this.world.account(spec.name) !== undefined) return;
    const n = this.world.next("account");
    this.world.putAccount({
      name: spec.name,
      userId: String(spec.userId ?? 700_000_000 + n * 1_111),
      dc: spec.dc ?? 2,
      premium: spec.premium ?? false,
      phone: spec.phone ?? `9996${String(n).padStart(6, "0")}`,
    });
  }

  /** Create a channel (or supergroup) with a "channel created" service message as id 1. Idempotent by username. */
  createChat(spec: ChatSpec): CreatedChat {
    // Telegram's username rule: a letter, then letters, digits or underscores, 4..32 in all.
    if (spec.username !== undefined && !/^[a-zA-Z][a-zA-Z0-9_]{3,31}$/.test(spec.username)) throw new TypeError(`invalid username ${JSON.stringify(spec.username)}`);
    if (spec.username !== undefined) {
      const existing = this.world.chatByUsername(spec.username);
      if (existing !== undefined) return { id: `-100${existing.channelId}`, channelId: existing.channelId };
    }
    const owner = this.world.account(spec.owner);
    if (owner === undefined) throw new Error(`unknown account ${spec.owner}`);
    for (const a of [...(spec.members ?? []), ...(spec.admins ?? [])]) if (this.world.account(a) === undefined) throw new Error(`unknown account ${a}`);
    return this.world.tx(() => {
      const channelId = String(1_500_000_000 + this.world.next("channel") * 7_919);
      const date = Math.floor(this.now() / 1000);
      const chat: ChatRec = {
        channelId, title: spec.title, megagroup: spec.megagroup ?? false, noforwards: spec.noforwards ?? false,
        owner: spec.owner, members: [...(spec.members ?? [])], admins: [...(spec.admins ?? [])],
        slowModeSeconds: spec.slowModeSeconds ?? 0, dc: spec.dc ?? owner.dc, date, pts: 1, topId: 1,
        ...(spec.username !== undefined ? { username: spec.username } : {}),
      };
      this.world.putChat(chat);
      const created: MessageRec = { id: 1, date, sender: spec.owner, text: "", entities: [], noforwards: false, service: { action: "channelCreate", title: spec.title } };
      this.world.putMessage(channelId, created);
      return { id: `-100${channelId}`, channelId };
    });
  }

  /** Make `account` a member of `chat`. */
  join(account: string, chat: string): void {
    if (this.world.account(account) === undefined) throw new Error(`unknown account ${account}`);
    const c = this.chatRec(chat);
    if (c.owner !== account && !c.members.includes(account) && !c.admins.includes(account)) {
      c.members.push(account);
      this.world.putChat(c);
    }
  }

  /** Remove `account` from `chat` (members and admins; the owner stays). */
  leave(account: string, chat: string): void {
    const c = this.chatRec(chat);
    c.members = c.members.filter((m) => m !== account);
    c.admins = c.admins.filter((m) => m !== account);
    this.world.putChat(c);
  }

  /** Make `account` an admin with posting rights of `chat`. */
  promote(account: string, chat: string): void {
    const c = this.chatRec(chat);
    if (!c.admins.includes(account)) c.admins.push(account);
    this.world.putChat(c);
  }

  /** Add one post to a chat (as its next message id); returns the id. */
  addPost(chat: string, spec: PostSpec): number {
    return appendPost(this.world, this.chatRec(chat), spec, this.now());
  }

  /** Delete posts (readers then get MessageEmpty for their ids, and history skips them). */
  deletePosts(chat: string, ids: readonly number[]): void {
    const c = this.chatRec(chat);
    this.world.tx(() => {
      for (const id of ids) this.world.deleteMessage(c.channelId, id);
    });
  }

  /** Fill a chat with `opts.posts` generated posts of a reproducible mix; returns their ids in order. */
  generate(chat: string, opts: GenerateOptions): number[] {
    const c = this.chatRec(chat);
    return generatePosts(
      opts, c, this.world.accounts().map((a) => a.userId),
      (spec) => appendPost(this.world, this.world.chat(c.channelId)!, spec, this.now()),
      (service) => void appendService(this.world, this.world.chat(c.channelId)!, service, this.now()),
    );
  }

  /** A real GramJS TelegramClient of `account`, wired to this world (no socket; never call connect()). */
  client(account: string, opts?: ClientOptions): TelegramClient {
    const acc = this.world.account(account);
    if (acc === undefined) throw new Error(`unknown account ${account}`);
    return wireClient(this.server, acc, opts);
  }

  /** The posts of a chat as tgrelay's model, oldest first, each media with the sha256 of its bytes. */
  inspect(chat: string): InspectedPost[] {
    return inspectChat(this.world, this.chatRec(chat));
  }

  /**
   * The message a randomId of `account` created, if any. On Telegram a RANDOM_ID_DUPLICATE error does not say
   * which message holds the randomId; tests use this to check exactly-once delivery.
   */
  sentByRandomId(account: string, randomId: string | bigint | bigInt.BigInteger): { chatId: string; id: number } | undefined {
    const r = this.world.randomId(account, bigInt(randomId.toString()).toString());
    return r && { chatId: `-100${r.channelId}`, id: r.msgId };
  }

  /** How many requests of a method (TL class name, e.g. "upload.GetFile") were handled, for an account or all. */
  requestCount(method: string, account?: string): number {
    let n = 0;
    for (const [key, count] of this.server.counts) {
      const [acc, cls] = key.split(" ") as [string, string];
      if ((account === undefined || acc === account) && (cls === method || cls.endsWith(`.${method}`))) n += count;
    }
    return n;
  }

  /**
   * Watch every request: `observer` is told, once the request is answered, its account, method, arrival and
   * answer times (Date.now() ms) and the error name if it failed. Returns a function that stops watching.
   */
  onRequest(observer: (r: RequestRecord) => void): () => void {
    this.server.observers.add(observer);
    return () => void this.server.observers.delete(observer);
  }

  /** The world's accounts (e.g. for a CLI that defaults to all of them). */
  accounts(): { name: string; userId: string; dc: number; premium: boolean }[] {
    return this.world.accounts().map((a) => ({ name: a.name, userId: a.userId, dc: a.dc, premium: a.premium }));
  }

  /** The world's chats. */
  chats(): { id: string; channelId: string; title: string; username?: string; megagroup: boolean; noforwards: boolean; owner: string }[] {
    return this.world.chats().map((c) => ({
      id: `-100${c.channelId}`, channelId: c.channelId, title: c.title, megagroup: c.megagroup, noforwards: c.noforwards, owner: c.owner,
      ...(c.username ? { username: c.username } : {}),
    }));
  }

  /** Resolve "@username", "-100<id>", "<channelId>" to the chat's ids. */
  chat(chat: string): CreatedChat & { title: string; username?: string } {
    const c = this.chatRec(chat);
    return { id: `-100${c.channelId}`, channelId: c.channelId, title: c.title, ...(c.username ? { username: c.username } : {}) };
  }

  /** Close the world (the file stays). Clients made by this emulator fail afterwards. */
  close(): void {
    this.world.close();
  }

  private chatRec(ref: string): ChatRec {
    let c: ChatRec | undefined;
    if (ref.startsWith("@")) c = this.world.chatByUsername(ref.slice(1));
    else if (/^-100\d+$/.test(ref)) c = this.world.chat(ref.slice(4));
    else if (/^\d+$/.test(ref)) c = this.world.chat(ref);
    else c = this.world.chatByUsername(ref);
    if (c === undefined) throw new Error(`unknown chat ${ref}`);
    return c;
  }
}
