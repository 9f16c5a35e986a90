// The dir: source on its own: choosing a chat folder, and clear errors for a damaged archive.
import { SkipPost } from "../../src/model/index.js";
import { promises as fs } from "node:fs";
import path from "node:path";
import { lastValueFrom, range, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { MANIFEST, openArchiveSource } from "../../src/archive/index.js";
import { batchOf, UsageError } from "../../src/model/index.js";
import { archiveSink, post, tmp } from "./helpers.js";

const ctx = { jobId: "j", replyTarget: () => undefined, account: "" };

async function archiveOf(root: string, chatId: string, ids: number[]): Promise<void> {
  const sink = archiveSink(`dir:${root}`);
  for (const id of ids) {
    const p = post(id, { chatId, text: `t${id}`, media: { kind: "document", fileName: "f.txt", size: 2 } });
    const loaded = { batch: batchOf([p], id), files: [{ postId: id, data: { kind: "memory" as const, bytes: Buffer.from(`${id}!`) }, size: 2 }], memoryBytes: 0, release: async () => {} };
    await lastValueFrom(sink.deliver(loaded, ctx));
  }
}
async function usageError(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(UsageError);
  expect((e as Error).message).not.toContain("\n");
  return (e as Error).message;
}

describe("dir: source", () => {
  it("opens a root with one chat, or a chat folder itself", async () => {
    const root = tmp();
    await archiveOf(root, "-1005", [1, 2]);
    const a = await openArchiveSource(`dir:${root}`);
    const b = await openArchiveSource(`dir:${path.join(root, "-1005")}`);
    expect(a.chatId).toBe("-1005");
    expect(b.folder).toBe(a.folder);
    const posts = await lastValueFrom(a.read({ fromId: 2 }, range(0, 10)).pipe(toArray()));
    expect(posts.map((p) => [p.id, p.text])).toEqual([[2, "t2"]]);
  });

  it("asks which chat when the root holds several, and finds one by chat id or folder name", async () => {
    const root = tmp();
    await archiveOf(root, "-1005", [1]);
    await archiveOf(root, "-1006", [1]);
    expect(await usageError(openArchiveSource(`dir:${root}`))).toMatch(/holds 2 chats, choose one of: -1005, -1006/);
    expect((await openArchiveSource(`dir:${root}`, { chat: "-1006" })).chatId).toBe("-1006");
    expect(await usageError(openArchiveSource(`dir:${root}`, { chat: "-1007" }))).toMatch(/has no chat -1007/);
  });

  it("clear errors: missing folder, no manifest, a named file not there, a malformed line", async () => {
    expect(await usageError(openArchiveSource("dir:/nonexistent/tgrelay-archive"))).toMatch(/dir: no such folder/);
    expect(await usageError(openArchiveSource(`dir:${tmp()}`))).toMatch(/holds no archive/);
    const root = tmp();
    await archiveOf(root, "-1005", [1, 2]);
    const folder = path.join(root, "-1005");
    await fs.rm(path.join(folder, "2_f.txt"));
    expect(await usageError(openArchiveSource(`dir:${root}`))).toMatch(/post 2 names 2_f\.txt, which is not there/);
    await fs.writeFile(path.join(folder, MANIFEST), '{"v":1,"chatId":"-1005","id":1,"date":1,"text":"","entities":[],"noforwards":false,"linkPreview":false}\n{oops}\n');
    expect(await usageError(openArchiveSource(`dir:${root}`))).toMatch(/manifest\.jsonl:2: malformed manifest line/);
  });

  it("refuses a manifest naming a file outside its folder (../, absolute, symlink): nothing outside is read", async () => {
    const outside = tmp();
    await fs.writeFile(path.join(outside, "secret.txt"), "secret");
    const root = tmp();
    await archiveOf(root, "-1005", [1]);
    const folder = path.join(root, "-1005");
    const line = (file: string) => JSON.stringify({ v: 1, chatId: "-1005", id: 1, date: 1, text: "", entities: [], noforwards: false, linkPreview: false, media: { kind: "document", fileName: "f.txt", size: 6 }, file }) + "\n";
    for (const file of [path.relative(folder, path.join(outside, "secret.txt")), path.join(outside, "secret.txt")]) {
      await fs.writeFile(path.join(folder, MANIFEST), line(file));
      expect(await usageError(openArchiveSource(`dir:${root}`))).toMatch(/post 1 names .*secret\.txt, which is outside the archive folder/);
    }
    await fs.rm(path.join(folder, "1_f.txt"));
    await fs.symlink(path.join(outside, "secret.txt"), path.join(folder, "1_f.txt"));
    await fs.writeFile(path.join(folder, MANIFEST), line("1_f.txt"));
    expect(await usageError(openArchiveSource(`dir:${root}`))).toMatch(/post 1 names 1_f\.txt, which is outside the archive folder/);
  });

  it("with verify, refuses a file whose bytes changed since it was archived", async () => {
    const root = tmp();
    await archiveOf(root, "-1005", [1]);
    await fs.writeFile(path.join(root, "-1005", "1_f.txt"), "XX");
    const s = await openArchiveSource(`dir:${root}`, { verify: true });
    const [p] = await lastValueFrom(s.read({}, range(0, 10)).pipe(toArray()));
    // A damaged file fails its post (SkipPost: recorded, the run goes on), it is not a usage error.
    await expect(lastValueFrom(s.download(batchOf([p!], 0)))).rejects.toThrow(/does not match its SHA-256/);
    await expect(lastValueFrom(s.download(batchOf([p!], 0)))).rejects.toBeInstanceOf(SkipPost);
    const plain = await openArchiveSource(`dir:${root}`);
    expect((await lastValueFrom(plain.download(batchOf([p!], 0)))).files).toHaveLength(1);
  });
});
