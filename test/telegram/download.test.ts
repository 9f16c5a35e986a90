import { describe, expect, it } from "vitest";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { Api, errors } from "telegram";
import bigInt from "big-integer";
import { downloadFile, type PartFetcher } from "../../src/telegram/download.js";
import { defaultParallelism, planParts, planRanges } from "../../src/telegram/downloadPlan.js";
import { SkipPost, Transient } from "../../src/model/errors.js";
import { Semaphore } from "../../src/telegram/limiter.js";
import { tempDir } from "../helpers/tempDir.js";

const KB = 1024;
const MB = 1024 * KB;
const loc = (ref: number) => new Api.InputDocumentFileLocation({ id: bigInt(1), accessHash: bigInt(1), fileReference: Buffer.from([ref]), thumbSize: "" });
const bytes = (n: number) => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 9)) & 0xff;
  return b;
};
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const rpc = (name: string) => errors.RPCMessageToError(new Api.RpcError({ errorCode: 400, errorMessage: name }), new Api.upload.GetFile({ location: loc(0), offset: bigInt(0), limit: 1 }));

/** A fake DC: serves `data` from parts, records calls, optionally injects faults per call. */
function server(data: Buffer, fault?: (call: { offset: number; dcId: number; ref: number; n: number }) => Error | Buffer | undefined) {
  const calls: { offset: number; dcId: number; ref: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fetch: PartFetcher = async (location, dcId, offset, limit) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await new Promise((r) => setTimeout(r, 1));
      const ref = (location as Api.InputDocumentFileLocation).fileReference[0]!;
      calls.push({ offset, dcId, ref });
      const f = fault?.({ offset, dcId, ref, n: calls.length });
      if (f instanceof Error) throw f;
      if (f) return f;
      return data.subarray(offset, offset + limit);
    } finally {
      inFlight--;
    }
  };
  return { fetch, calls, maxInFlight: () => maxInFlight };
}

const cfg = (tmpDir: string, over: object = {}) => ({ inMemoryLimit: 20 * MB, tmpDir, ...over });

describe("download planning", () => {
  it("parallelism grows with size: 1 below 1 MB, 8 above 50 MB", () => {
    expect(defaultParallelism(900 * KB)).toBe(1);
    expect(defaultParallelism(3 * MB)).toBeGreaterThan(1);
    expect(defaultParallelism(60 * MB)).toBe(8);
  });
  it("ranges are contiguous, aligned, cover the file once", () => {
    for (const size of [1, 512 * KB, 512 * KB + 1, 7 * MB + 3, 200 * MB]) {
      const ranges = planRanges(size, 8);
      const flat = ranges.flat();
      expect(flat.map((p) => p.offset)).toEqual(planParts(size).map((p) => p.offset));
      expect(flat.reduce((n, p) => n + p.expected, 0)).toBe(size);
      expect(flat.every((p) => p.offset % (512 * KB) === 0)).toBe(true);
      expect(ranges.length).toBeLessThanOrEqual(8);
    }
  });
});

describe("downloadFile", () => {
  it("small files in memory, byte-identical, parts in parallel", async () => {
    const data = bytes(6 * MB + 123);
    const s = server(data);
    const out = await downloadFile({ location: loc(1), dcId: 4, size: data.length }, s.fetch, cfg(tmpdir()), new AbortController().signal);
    expect(out.kind).toBe("memory");
    expect(sha((out as { bytes: Buffer }).bytes)).toBe(sha(data));
    expect(s.calls.every((c) => c.dcId === 4)).toBe(true); // asked on the file's DC directly
    expect(s.maxInFlight()).toBeGreaterThan(1);
  });

  it("large files go to a .part file renamed only when complete (case 28)", async () => {
    const dir = tempDir("tgr-dl-");
    const data = bytes(3 * MB + 5);
    const out = await downloadFile({ location: loc(1), dcId: 2, size: data.length }, server(data).fetch, cfg(dir, { inMemoryLimit: 1 * MB }), new AbortController().signal, "f");
    expect(out).toEqual({ kind: "file", path: join(dir, "f") });
    expect(await readdir(dir)).toEqual(["f"]);
    expect(sha(await readFile(join(dir, "f")))).toBe(sha(data));
  });

  it("FILE_REFERENCE_EXPIRED: re-reads once and resumes at the same offset (case 22)", async () => {
    const data = bytes(2 * MB);
    let refreshes = 0;
    const s = server(data, (c) => (c.ref === 1 && c.offset === 512 * KB ? rpc("FILE_REFERENCE_EXPIRED") : undefined));
    const out = await downloadFile(
      { location: loc(1), dcId: 2, size: data.length, refresh: async () => (refreshes++, { location: loc(2), dcId: 2 }) },
      s.fetch, cfg(tmpdir(), { parallelism: () => 1 }), new AbortController().signal,
    );
    expect(sha((out as { bytes: Buffer }).bytes)).toBe(sha(data));
    expect(refreshes).toBe(1);
    expect(s.calls.map((c) => [c.offset / (512 * KB), c.ref])).toEqual([[0, 1], [1, 1], [1, 2], [2, 2], [3, 2]]);
  });

  it("refreshes are bounded; a deleted message is a SkipPost, not a 0-byte file", async () => {
    const data = bytes(MB);
    const always = server(data, () => rpc("FILE_REFERENCE_EXPIRED"));
    await expect(downloadFile({ location: loc(1), dcId: 2, size: data.length, refresh: async () => ({ location: loc(1 + Math.random()), dcId: 2 }) }, always.fetch, cfg(tmpdir()), new AbortController().signal)).rejects.toBeInstanceOf(SkipPost);
    expect(always.calls.length).toBeLessThanOrEqual(8);
    const gone = server(data, () => rpc("FILE_REFERENCE_EXPIRED"));
    await expect(downloadFile({ location: loc(1), dcId: 2, size: data.length, refresh: async () => { throw new SkipPost("message 170 was deleted"); } }, gone.fetch, cfg(tmpdir()), new AbortController().signal)).rejects.toThrow(/deleted/);
  });

  it("a short or empty part is an error, never a success", async () => {
    const data = bytes(MB + 10);
    const short = server(data, (c) => (c.offset === 512 * KB ? Buffer.alloc(0) : undefined));
    await expect(downloadFile({ location: loc(1), dcId: 2, size: data.length }, short.fetch, cfg(tmpdir()), new AbortController().signal)).rejects.toBeInstanceOf(Transient);
    const dir = tempDir("tgr-dl-");
    const truncated = server(data.subarray(0, MB)); // the DC has fewer bytes than the document says
    await expect(downloadFile({ location: loc(1), dcId: 2, size: data.length }, truncated.fetch, cfg(dir, { inMemoryLimit: 0 }), new AbortController().signal, "g")).rejects.toMatchObject({ reason: "SHORT_READ" });
    expect(await readdir(dir)).toEqual([]); // no .part left behind, no renamed file
    await expect(downloadFile({ location: loc(1), dcId: 2, size: 0 }, server(data).fetch, cfg(tmpdir()), new AbortController().signal)).rejects.toBeInstanceOf(SkipPost);
  });

  it("FILE_MIGRATE sends the rest to the DC named", async () => {
    const data = bytes(MB);
    const s = server(data, (c) => (c.dcId === 2 ? new errors.FileMigrateError({ request: undefined, capture: 4 } as never) : undefined));
    const out = await downloadFile({ location: loc(1), dcId: 2, size: data.length }, s.fetch, cfg(tmpdir()), new AbortController().signal);
    expect(sha((out as { bytes: Buffer }).bytes)).toBe(sha(data));
    expect(s.calls.filter((c) => c.dcId === 4).length).toBe(2);
  });

  it("cancelling stops every worker and removes the .part file", async () => {
    const dir = tempDir("tgr-dl-");
    const data = bytes(20 * MB);
    const abort = new AbortController();
    const s = server(data, (c) => {
      if (c.n === 5) abort.abort(new Error("stop"));
      return undefined;
    });
    await expect(downloadFile({ location: loc(1), dcId: 2, size: data.length }, s.fetch, cfg(dir, { inMemoryLimit: 0 }), abort.signal, "h")).rejects.toThrow("stop");
    const after = s.calls.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(s.calls.length).toBe(after); // nothing asked after the abort settled
    expect(after).toBeLessThan(40);
    expect(await readdir(dir)).toEqual([]);
  });

  it("the account cap bounds part requests across files", async () => {
    const data = bytes(8 * MB);
    const s = server(data);
    const requests = new Semaphore(3);
    await Promise.all([1, 2, 3].map(() => downloadFile({ location: loc(1), dcId: 2, size: data.length }, s.fetch, cfg(tmpdir(), { requests }), new AbortController().signal)));
    expect(s.maxInFlight()).toBeLessThanOrEqual(3);
    expect(s.calls.length).toBe(48);
  });
});
