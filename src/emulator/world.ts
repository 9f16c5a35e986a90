import Database from "better-sqlite3";
import type { AccountRec, ChatRec, DocumentRec, FileRec, MessageRec, PhotoRec } from "./records.js";

/** Stored file bytes are cut in chunks of this size; GetFile never crosses a 1 MiB border, so one read is one row. */
export const CHUNK = 1 << 20;

/**
 * The world's storage: an SQLite database, in memory or in a file. Every write is its own committed statement
 * (or transaction), so a process killed at any moment leaves a consistent world for the next one.
 */
export class World {
  readonly db: Database.Database;
  private readonly st: Record<string, Database.Statement>;

  constructor(path?: string) {
    this.db = new Database(path ?? ":memory:");
    if (path !== undefined) {
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
    }
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY, user_id TEXT UNIQUE NOT NULL, json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS chats (channel_id TEXT PRIMARY KEY, username TEXT UNIQUE, json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS messages (channel_id TEXT NOT NULL, id INTEGER NOT NULL, date INTEGER NOT NULL, json TEXT NOT NULL,
        PRIMARY KEY (channel_id, id));
      CREATE TABLE IF NOT EXISTS photos (id TEXT PRIMARY KEY, json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS documents (id TEXT PRIMARY KEY, json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS files (id TEXT PRIMARY KEY, json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS chunks (file_id TEXT NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (file_id, idx));
      CREATE TABLE IF NOT EXISTS upload_parts (account TEXT NOT NULL, file_id TEXT NOT NULL, part INTEGER NOT NULL,
        total INTEGER, data BLOB NOT NULL, PRIMARY KEY (account, file_id, part));
      CREATE TABLE IF NOT EXISTS uploaded (account TEXT NOT NULL, file_id TEXT NOT NULL, stored_id TEXT NOT NULL, PRIMARY KEY (account, file_id));
      CREATE TABLE IF NOT EXISTS random_ids (account TEXT NOT NULL, random_id TEXT NOT NULL, channel_id TEXT NOT NULL, msg_id INTEGER NOT NULL,
        PRIMARY KEY (account, random_id));
    `);
    const p = (sql: string) => this.db.prepare(sql);
    this.st = {
      metaGet: p("SELECT value FROM meta WHERE key = ?"),
      metaSet: p("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
      accGet: p("SELECT json FROM accounts WHERE name = ?"),
      accByUser: p("SELECT json FROM accounts WHERE user_id = ?"),
      accAll: p("SELECT json FROM accounts ORDER BY rowid"),
      accPut: p("INSERT INTO accounts (name, user_id, json) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET json = excluded.json"),
      chatGet: p("SELECT json FROM chats WHERE channel_id = ?"),
      chatByUsername: p("SELECT json FROM chats WHERE username = ? COLLATE NOCASE"),
      chatAll: p("SELECT json FROM chats ORDER BY rowid"),
      chatPut: p("INSERT INTO chats (channel_id, username, json) VALUES (?, ?, ?) ON CONFLICT(channel_id) DO UPDATE SET username = excluded.username, json = excluded.json"),
      msgGet: p("SELECT json FROM messages WHERE channel_id = ? AND id = ?"),
      msgPut: p("INSERT INTO messages (channel_id, id, date, json) VALUES (?, ?, ?, ?) ON CONFLICT(channel_id, id) DO UPDATE SET json = excluded.json"),
      msgDel: p("DELETE FROM messages WHERE channel_id = ? AND id = ?"),
      msgCount: p("SELECT count(*) AS n FROM messages WHERE channel_id = ?"),
      msgAllAsc: p("SELECT json FROM messages WHERE channel_id = ? ORDER BY id ASC"),
      msgOlderDesc: p("SELECT json FROM messages WHERE channel_id = ? AND id < ? ORDER BY id DESC LIMIT ? OFFSET ?"),
      msgNewerAsc: p("SELECT json FROM messages WHERE channel_id = ? AND id >= ? ORDER BY id ASC LIMIT ?"),
      msgFirstBeforeDate: p("SELECT id FROM messages WHERE channel_id = ? AND date < ? ORDER BY id DESC LIMIT 1"),
      photoGet: p("SELECT json FROM photos WHERE id = ?"),
      photoPut: p("INSERT OR REPLACE INTO photos (id, json) VALUES (?, ?)"),
      docGet: p("SELECT json FROM documents WHERE id = ?"),
      docPut: p("INSERT OR REPLACE INTO documents (id, json) VALUES (?, ?)"),
      fileGet: p("SELECT json FROM files WHERE id = ?"),
      filePut: p("INSERT OR REPLACE INTO files (id, json) VALUES (?, ?)"),
      chunkGet: p("SELECT data FROM chunks WHERE file_id = ? AND idx = ?"),
      chunkPut: p("INSERT OR REPLACE INTO chunks (file_id, idx, data) VALUES (?, ?, ?)"),
      partPut: p("INSERT OR REPLACE INTO upload_parts (account, file_id, part, total, data) VALUES (?, ?, ?, ?, ?)"),
      partList: p("SELECT part, total, length(data) AS size FROM upload_parts WHERE account = ? AND file_id = ? ORDER BY part"),
      partGet: p("SELECT data FROM upload_parts WHERE account = ? AND file_id = ? AND part = ?"),
      partDel: p("DELETE FROM upload_parts WHERE account = ? AND file_id = ?"),
      uploadedGet: p("SELECT stored_id FROM uploaded WHERE account = ? AND file_id = ?"),
      uploadedPut: p("INSERT OR REPLACE INTO uploaded (account, file_id, stored_id) VALUES (?, ?, ?)"),
      ridGet: p("SELECT channel_id, msg_id FROM random_ids WHERE account = ? AND random_id = ?"),
      ridPut: p("INSERT INTO random_ids (account, random_id, channel_id, msg_id) VALUES (?, ?, ?, ?)"),
    };
  }

  /** Run `fn` as one committed transaction (nested calls join the outer one). */
  tx<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    return this.db.transaction(fn)();
  }

  meta(key: string): string | undefined {
    return (this.st.metaGet!.get(key) as { value: string } | undefined)?.value;
  }
  setMeta(key: string, value: string): void {
    this.st.metaSet!.run(key, value);
  }
  /** The next value of a named counter, starting at `start`. */
  next(counter: string, start = 1): number {
    return this.tx(() => {
      const n = Number(this.meta(`counter:${counter}`) ?? String(start - 1)) + 1;
      this.setMeta(`counter:${counter}`, String(n));
      return n;
    });
  }

  account(name: string): AccountRec | undefined {
    return parse(this.st.accGet!.get(name));
  }
  accountByUserId(userId: string): AccountRec | undefined {
    return parse(this.st.accByUser!.get(userId));
  }
  accounts(): AccountRec[] {
    return (this.st.accAll!.all() as { json: string }[]).map((r) => JSON.parse(r.json) as AccountRec);
  }
  putAccount(a: AccountRec): void {
    this.st.accPut!.run(a.name, a.userId, JSON.stringify(a));
  }

  chat(channelId: string): ChatRec | undefined {
    return parse(this.st.chatGet!.get(channelId));
  }
  chatByUsername(username: string): ChatRec | undefined {
    return parse(this.st.chatByUsername!.get(username));
  }
  chats(): ChatRec[] {
    return (this.st.chatAll!.all() as { json: string }[]).map((r) => JSON.parse(r.json) as ChatRec);
  }
  putChat(c: ChatRec): void {
    this.st.chatPut!.run(c.channelId, c.username ?? null, JSON.stringify(c));
  }

  message(channelId: string, id: number): MessageRec | undefined {
    return parse(this.st.msgGet!.get(channelId, id));
  }
  putMessage(channelId: string, m: MessageRec): void {
    this.st.msgPut!.run(channelId, m.id, m.date, JSON.stringify(m));
  }
  deleteMessage(channelId: string, id: number): void {
    this.st.msgDel!.run(channelId, id);
  }
  messageCount(channelId: string): number {
    return (this.st.msgCount!.get(channelId) as { n: number }).n;
  }
  messagesAsc(channelId: string): MessageRec[] {
    return (this.st.msgAllAsc!.all(channelId) as { json: string }[]).map((r) => JSON.parse(r.json) as MessageRec);
  }
  /** Messages with id < beforeId, newest first, skipping `skip`. */
  olderDesc(channelId: string, beforeId: number, limit: number, skip = 0): MessageRec[] {
    return (this.st.msgOlderDesc!.all(channelId, beforeId, limit, skip) as { json: string }[]).map((r) => JSON.parse(r.json) as MessageRec);
  }
  /** Messages with id >= fromId, oldest first. */
  newerAsc(channelId: string, fromId: number, limit: number): MessageRec[] {
    return (this.st.msgNewerAsc!.all(channelId, fromId, limit) as { json: string }[]).map((r) => JSON.parse(r.json) as MessageRec);
  }
  /** Id of the newest message dated before `date`. */
  firstBeforeDate(channelId: string, date: number): number | undefined {
    return (this.st.msgFirstBeforeDate!.get(channelId, date) as { id: number } | undefined)?.id;
  }

  photo(id: string): PhotoRec | undefined {
    return parse(this.st.photoGet!.get(id));
  }
  putPhoto(p: PhotoRec): void {
    this.st.photoPut!.run(p.id, JSON.stringify(p));
  }
  document(id: string): DocumentRec | undefined {
    return parse(this.st.docGet!.get(id));
  }
  putDocument(d: DocumentRec): void {
    this.st.docPut!.run(d.id, JSON.stringify(d));
  }
  file(id: string): FileRec | undefined {
    return parse(this.st.fileGet!.get(id));
  }
  putFile(f: FileRec): void {
    this.st.filePut!.run(f.id, JSON.stringify(f));
  }
  chunk(fileId: string, idx: number): Buffer | undefined {
    return (this.st.chunkGet!.get(fileId, idx) as { data: Buffer } | undefined)?.data;
  }
  putChunk(fileId: string, idx: number, data: Buffer): void {
    this.st.chunkPut!.run(fileId, idx, data);
  }

  putPart(account: string, fileId: string, part: number, total: number | undefined, data: Buffer): void {
    this.st.partPut!.run(account, fileId, part, total ?? null, data);
  }
  parts(account: string, fileId: string): { part: number; total: number | null; size: number }[] {
    return this.st.partList!.all(account, fileId) as { part: number; total: number | null; size: number }[];
  }
  part(account: string, fileId: string, part: number): Buffer {
    return (this.st.partGet!.get(account, fileId, part) as { data: Buffer }).data;
  }
  dropParts(account: string, fileId: string): void {
    this.st.partDel!.run(account, fileId);
  }
  uploaded(account: string, fileId: string): string | undefined {
    return (this.st.uploadedGet!.get(account, fileId) as { stored_id: string } | undefined)?.stored_id;
  }
  putUploaded(account: string, fileId: string, storedId: string): void {
    this.st.uploadedPut!.run(account, fileId, storedId);
  }

  randomId(account: string, randomId: string): { channelId: string; msgId: number } | undefined {
    const r = this.st.ridGet!.get(account, randomId) as { channel_id: string; msg_id: number } | undefined;
    return r && { channelId: r.channel_id, msgId: r.msg_id };
  }
  putRandomId(account: string, randomId: string, channelId: string, msgId: number): void {
    this.st.ridPut!.run(account, randomId, channelId, msgId);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function parse<T>(row: unknown): T | undefined {
  return row === undefined ? undefined : (JSON.parse((row as { json: string }).json) as T);
}
