/**
 * `tgrelay demo`: an emulated Telegram in a temp folder (or --keep PATH); a protected source channel built
 * from a real Telegram Desktop export plus generated albums, large videos and flood waits; two accounts
 * copy it with the real adapter into a target channel and an archive folder, with the live progress; then
 * the copy and the archive are compared with the source. No credentials, no network.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { openArchiveSource, postOf, type ManifestEntry } from "../archive/index.js";
import { compareChats, formatDifferences, type Difference, type InspectedPost } from "../emulator/index.js";
import type { CommandContext } from "./commands/index.js";
import { mergeSources } from "./config.js";
import { buildDemoWorld, DEMO_ACCOUNTS, DEMO_SOURCE, DEMO_TARGET } from "./demoWorld.js";
import { EXIT } from "./io.js";
import { UsageError } from "../model/errors.js";
import { runJob } from "./job.js";
import { createLogger, LogRouter } from "./logger.js";
import { toJson } from "./progress.js";
import { emulatorHandles } from "./providers.js";
import { resolveCommon, resolveJob } from "./resolve.js";

/** What the comparison found, in the report's words. */
export interface ComparisonReport {
  readonly target: string;
  readonly postsCompared: number;
  readonly albums: number;
  readonly albumsIntact: boolean;
  readonly orderKept: boolean;
  readonly bytesEqual: boolean;
  readonly filesCompared: number;
  readonly differences: readonly Difference[];
}

/** Summarise compareChats' differences between the source and one copy. */
export function comparisonReport(target: string, expected: readonly InspectedPost[], actual: readonly InspectedPost[], differences: readonly Difference[]): ComparisonReport {
  const albums = new Set(expected.filter((p) => p.groupedId !== undefined).map((p) => p.groupedId)).size;
  return {
    target,
    postsCompared: expected.length,
    albums,
    albumsIntact: !differences.some((d) => d.kind === "albumSplit" || d.kind === "albumMerged"),
    orderKept: !differences.some((d) => d.kind === "reordered"),
    bytesEqual: !differences.some((d) => d.kind === "bytes" || d.kind === "missing" || d.field === "sha256"),
    filesCompared: actual.filter((p) => p.media?.sha256 !== undefined).length,
    differences,
  };
}

function reportText(r: ComparisonReport): string {
  const yes = (b: boolean, good: string, bad: string) => (b ? good : bad);
  const head = `${r.target}: ${r.postsCompared} posts compared, ${r.albums} albums ${yes(r.albumsIntact, "intact", "NOT intact")}, ` +
    `order ${yes(r.orderKept, "kept", "NOT kept")}, bytes ${yes(r.bytesEqual, `equal (${r.filesCompared} files)`, "DIFFER")}, ` +
    `${r.differences.length === 0 ? "no differences" : `${r.differences.length} differences:`}`;
  return r.differences.length ? `${head}\n${formatDifferences(r.differences.slice(0, 20)).replace(/^/gmu, "    ")}` : head;
}

/**
 * The same post written the same way: entity keys in one order, absent and null attributes alike, an empty
 * `pre` language as none. Representation only; every value still counts.
 */
export function normalized(p: InspectedPost): InspectedPost {
  const clean = <T extends object>(o: T): T => {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) {
      const v = (o as Record<string, unknown>)[k];
      if (v === null || v === undefined) continue;
      if (k === "language" && v === "") continue;
      out[k] = v;
    }
    return out as T;
  };
  return {
    ...p,
    entities: p.entities.map(clean),
    ...(p.media ? { media: clean(p.media) } : {}),
  };
}

/** Archive entries as inspected posts: the manifest's post, with the thumbnail file's hash. */
async function archivedPosts(folder: string, entries: readonly ManifestEntry[]): Promise<InspectedPost[]> {
  const out: InspectedPost[] = [];
  for (const [position, e] of entries.entries()) {
    const post = postOf(e);
    let thumbSha256: string | undefined;
    if (e.thumb) thumbSha256 = createHash("sha256").update(await readFile(join(folder, e.thumb))).digest("hex");
    out.push({ ...post, ...(post.media ? { media: { ...post.media, ...(thumbSha256 ? { thumbSha256 } : {}) } } : {}), position } as InspectedPost);
  }
  return out;
}

/** Run the demo; 0 when the copies match the source, 1 when a comparison found differences. */
export async function runDemo(ctx: CommandContext): Promise<number> {
  const common = resolveCommon(ctx.raw, ctx.configPath, ctx.io.cwd);
  const keep = ctx.raw.get("keep")?.value as string | undefined;
  if (keep !== undefined) {
    const p = resolve(ctx.io.cwd, keep);
    if (existsSync(p) && !statSync(p).isDirectory()) throw new UsageError(`--keep ${JSON.stringify(keep)}: ${p} exists and is not a folder`);
    try {
      mkdirSync(p, { recursive: true });
    } catch (e) {
      throw new UsageError(`--keep ${JSON.stringify(keep)}: cannot make the folder ${p} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  }
  // Without --keep the folder is the demo's own: removed at the end, whatever happens.
  const folder = keep !== undefined ? resolve(ctx.io.cwd, keep) : mkdtempSync(join(ctx.io.env.TMPDIR || tmpdir(), "tgrelay-demo-"));
  try {
    return await demoIn(ctx, common, folder, keep !== undefined);
  } finally {
    if (keep === undefined) rmSync(folder, { recursive: true, force: true });
  }
}

/** Quote a word for a POSIX shell when it needs it. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/u.test(s) ? s : `'${s.replace(/'/gu, `'\\''`)}'`;
}

async function demoIn(ctx: CommandContext, common: ReturnType<typeof resolveCommon>, folder: string, kept: boolean): Promise<number> {
  const worldPath = join(folder, "world.db");
  const archive = join(folder, "archive");
  const out = ctx.io.stdout;
  const say = (s: string): void => { if (!common.json) out.write(`${s}\n`); };
  const logRouter = new LogRouter(ctx.io.stderr);
  const { logger, close } = createLogger({ level: common.logLevel, ...(common.logFile ? { file: common.logFile } : {}), stderr: logRouter });
  say(`tgrelay demo: an emulated Telegram in ${folder} (no network, no credentials)`);
  const world = await buildDemoWorld(worldPath);
  const emu = world.emulator;
  try {
    const sourcePosts = emu.inspect(DEMO_SOURCE);
    if (world.exportPosts) {
      say(`Source ${DEMO_SOURCE}: protected channel of ${sourcePosts.length} posts: ${world.exportPosts} from a real Telegram Desktop export, ${world.generatedPosts} generated (albums, large videos); flood waits on both accounts.`);
    } else {
      say(`Source ${DEMO_SOURCE}: ${sourcePosts.length} posts (world reopened: the journal resumes)`);
    }
    say(`Copying with accounts ${DEMO_ACCOUNTS.join(" and ")} to ${DEMO_TARGET} and dir:${archive} ...`);
    const flags: Record<string, unknown> = {
      from: DEMO_SOURCE, to: [DEMO_TARGET, `dir:${archive}`], accounts: [...DEMO_ACCOUNTS], emulator: worldPath,
      journal: join(folder, "journal.db"), concurrency: "4",
    };
    // The user's output options (--json, --progress, --log-*) apply; the job itself is the demo's.
    const raw = mergeSources("copy", flags, {}, undefined);
    for (const [k, v] of ctx.raw) if (["json", "progress", "logLevel", "logFile"].includes(k)) raw.set(k, v);
    const settings = resolveJob(raw, {}, "copy", undefined, ctx.io.cwd);
    const handles = await emulatorHandles(emu, [...DEMO_ACCOUNTS], logger);
    let code: number;
    try {
      ({ code } = await runJob(settings, handles, { io: ctx.io, logger, logRouter }));
    } finally {
      for (const h of handles) await h.close();
    }
    if (code === EXIT.interrupted) {
      say(kept
        ? `Interrupted. Run \`tgrelay demo --keep ${shellWord(folder)}\` to resume it.`
        : "Interrupted; the demo's temp folder is removed. `tgrelay demo --keep DIR` keeps the world, journal and archive, to resume or explore.");
      return code;
    }
    // Compare the source with the channel copy and with the archive read back.
    // The target channel is not protected (the source is): protection is the one difference wanted.
    const expected = sourcePosts.map(normalized);
    const copy = emu.inspect(DEMO_TARGET).map(normalized);
    const channel = comparisonReport(DEMO_TARGET, expected, copy, compareChats(expected, copy, { ignore: ["noforwards"] }));
    const archived = await openArchiveSource(`dir:${archive}`);
    const archivePosts = (await archivedPosts(archived.folder, archived.entries)).map(normalized);
    const local = comparisonReport(`dir:${archived.folder}`, expected, archivePosts, compareChats(expected, archivePosts, { ignore: ["noforwards"] }));
    if (common.json) {
      out.write(`${toJson({ type: "comparison", ...channel })}\n${toJson({ type: "comparison", ...local })}\n`);
    } else {
      say("");
      say("Comparison with the source:");
      say(`  ${reportText(channel)}`);
      say(`  ${reportText(local)}`);
      say("");
      if (kept) {
        const journal = join(folder, "journal.db");
        const again = ["tgrelay", "plan", "--emulator", worldPath, "--accounts", DEMO_ACCOUNTS.join(","), "--from", DEMO_SOURCE,
          "--to", DEMO_TARGET, "--to", `dir:${archive}`, "--journal", journal].map(shellWord).join(" ");
        say(`The archive is in ${archived.folder} (manifest.jsonl and the files); the journal is ${journal}.`);
        say(`The emulated world is ${worldPath}: \`${again}\` shows what is left of the demo's own job (same targets, same journal); \`copy\` in place of \`plan\` continues it.`);
      } else {
        say(`The demo's temp folder ${folder} is removed; \`tgrelay demo --keep DIR\` keeps the world, journal and archive to explore.`);
      }
    }
    const clean = channel.differences.length === 0 && local.differences.length === 0;
    return code !== EXIT.ok ? code : clean ? EXIT.ok : EXIT.failed;
  } finally {
    emu.close();
    await close();
  }
}
