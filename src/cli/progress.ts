/**
 * Progress output, fed by the Tally: live bars on a TTY (one per account and one overall: posts, albums,
 * bytes, speed, ETA, a flood wait counting down), plain lines otherwise, or JSON Lines of every event.
 */
import cliProgress from "cli-progress";
import type { Writable } from "node:stream";
import { formatSize } from "../pipeline/captions.js";
import { formatDuration, formatSummary, type RunEvent, type RunSummary, type Tally } from "./summary.js";

/** What the run reports to; one of the displays below. */
export interface Display {
  /** An event has been added to the tally. */
  event(e: RunEvent): void;
  /** A line for the user (a notice, a warning), shown without breaking the bars. */
  note(text: string): void;
  /** The run is over: stop redrawing, then show the summary. */
  finish(summary: RunSummary): void;
}

type Out = Writable & { isTTY?: boolean; columns?: number };

function floodText(tally: Tally, account: string): string {
  const s = tally.account(account);
  if (s.floodUntil === undefined) return "";
  const left = Math.max(0, Math.ceil((s.floodUntil - tally.now()) / 1000));
  return left > 0 ? ` · flood wait ${formatDuration(left)}` : "";
}

/** One line about the whole run, or one account. */
export function statusLine(tally: Tally, account?: string): string {
  const elapsed = tally.elapsedMs() / 1000;
  if (account !== undefined) {
    const s = tally.account(account);
    const c = s.counts;
    const parts = [`${c.read} read`, `${c.sent} deliveries`, `${s.albums} albums`, formatSize(c.bytes), `${formatSize(Math.round(elapsed > 0 ? c.bytes / elapsed : 0))}/s`];
    if (c.skipped) parts.push(`${c.skipped} skipped`);
    if (c.failed) parts.push(`${c.failed} failed`);
    if (s.done) parts.push(s.stopped ? "stopped" : "done");
    return parts.join(" · ") + floodText(tally, account);
  }
  const t = tally.overall();
  const settled = tally.settledPosts();
  const bytes = Math.max(t.bytesDownloaded, t.bytesSent);
  const parts = [
    `${settled}${tally.total !== undefined ? `/~${Math.max(tally.total, settled)}` : ""} posts`,
    `${tally.albums()} albums`,
    formatSize(bytes),
    `${formatSize(Math.round(elapsed > 0 ? bytes / elapsed : 0))}/s`,
  ];
  if (t.skipped) parts.push(`${t.skipped} skipped`);
  if (t.failed) parts.push(`${t.failed} failed`);
  const eta = tally.etaSeconds();
  if (eta !== undefined) parts.push(`ETA ${formatDuration(eta)}`);
  const waiting = [...tally.accounts.keys()].filter((a) => floodText(tally, a) !== "");
  if (waiting.length) parts.push(`flood wait: ${waiting.join(", ")}`);
  return parts.join(" · ");
}

/** Live bars on a TTY: one per account, one overall. */
export class BarsDisplay implements Display {
  private readonly multi: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly tally: Tally, private readonly out: Out, private readonly summaryOut: Out) {
    this.multi = new cliProgress.MultiBar({
      stream: out,
      format: " {name} {bar} {line}",
      barsize: 20,
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
      forceRedraw: true,
      noTTYOutput: false,
    }, cliProgress.Presets.shades_classic);
    this.bar("overall");
    for (const a of tally.accounts.keys()) this.bar(a);
    // Redraw each second so a flood wait counts down without events.
    this.timer = setInterval(() => this.redraw(), 1000);
    this.timer.unref();
  }

  private bar(name: string): cliProgress.SingleBar {
    let b = this.bars.get(name);
    if (!b) {
      b = this.multi.create(1, 0, { name: name.padEnd(10).slice(0, 10), line: "" });
      this.bars.set(name, b);
    }
    return b;
  }

  private redraw(): void {
    const total = this.tally.total;
    for (const [name, bar] of this.bars) {
      const isAll = name === "overall";
      let value: number;
      let max: number;
      if (isAll) {
        const t = this.tally.overall();
        value = this.tally.settledPosts();
        max = Math.max(total ?? t.read, value, 1);
      } else {
        const a = this.tally.account(name);
        value = a.settled.size;
        max = Math.max(a.counts.read, value, 1);
      }
      bar.setTotal(max);
      bar.update(value, { line: statusLine(this.tally, isAll ? undefined : name) });
    }
  }

  event(e: RunEvent): void {
    if (e.account !== "") this.bar(e.account);
    if (e.type === "account-dead") this.multi.log(`account ${e.account} is unusable: ${e.reason}\n`);
    if (e.type === "failed") this.multi.log(`failed ${e.postIds.join(",")}${e.target ? ` -> ${e.target}` : ""}: ${e.reason}\n`);
    this.redraw();
  }

  note(text: string): void {
    this.multi.log(`${text}\n`);
  }

  finish(summary: RunSummary): void {
    clearInterval(this.timer);
    this.redraw();
    this.multi.stop();
    this.summaryOut.write(`${formatSummary(summary)}\n`);
  }
}

/** Plain lines (no TTY): a status line every `everyMs`, and each failure and flood wait as it happens. */
export class LinesDisplay implements Display {
  private readonly timer: NodeJS.Timeout;
  private last = "";

  constructor(private readonly tally: Tally, private readonly out: Out, private readonly summaryOut: Out, everyMs = 2000) {
    this.timer = setInterval(() => this.status(), everyMs);
    this.timer.unref();
  }

  private status(): void {
    const line = statusLine(this.tally);
    if (line !== this.last) this.out.write(`progress: ${line}\n`);
    this.last = line;
  }

  event(e: RunEvent): void {
    if (e.type === "failed") this.out.write(`failed: ${e.postIds.join(",")}${e.target ? ` -> ${e.target}` : ""}: ${e.reason}\n`);
    else if (e.type === "flood-wait") this.out.write(`flood wait: ${e.account} waits ${formatDuration(e.seconds)} (${e.method})\n`);
    else if (e.type === "cooldown") this.out.write(`cooldown: ${e.account} takes no work for ${formatDuration(e.seconds)}\n`);
    else if (e.type === "account-dead") this.out.write(`account ${e.account} is unusable: ${e.reason}\n`);
    else if (e.type === "done" && e.account !== "") this.out.write(`${e.account}: ${e.stopped ? "stopped" : "done"}: ${statusLine(this.tally, e.account)}\n`);
  }

  note(text: string): void {
    this.out.write(`${text}\n`);
  }

  finish(summary: RunSummary): void {
    clearInterval(this.timer);
    this.summaryOut.write(`${formatSummary(summary)}\n`);
  }
}

/** Convert an event (or summary) to plain JSON: Maps become objects. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Map) return Object.fromEntries(v);
    if (typeof v === "bigint") return v.toString();
    return v;
  });
}

/** --json: each event as one JSON line on stdout, then the summary as the last line. */
export class JsonDisplay implements Display {
  constructor(private readonly out: Out) {}
  event(e: RunEvent): void {
    this.out.write(`${toJson(e)}\n`);
  }
  note(text: string): void {
    this.out.write(`${toJson({ type: "notice", text })}\n`);
  }
  finish(summary: RunSummary): void {
    this.out.write(`${toJson(summary)}\n`);
  }
}

/** No progress, only the summary. */
export class QuietDisplay implements Display {
  constructor(private readonly summaryOut: Out) {}
  event(): void {}
  note(text: string): void {
    this.summaryOut.write(`${text}\n`);
  }
  finish(summary: RunSummary): void {
    this.summaryOut.write(`${formatSummary(summary)}\n`);
  }
}

/** The display for the settings: --json, then --progress (auto = bars on a TTY, lines otherwise). */
export function chooseDisplay(
  style: "auto" | "bars" | "lines" | "none", json: boolean, tally: Tally, stdout: Out, stderr: Out,
): Display {
  if (json) return new JsonDisplay(stdout);
  // Bars redraw in place: without a terminal they would print their raw format ("{name} {bar}"), so lines.
  const s = style === "auto" || style === "bars" ? (stderr.isTTY ? "bars" : "lines") : style;
  if (s === "bars") return new BarsDisplay(tally, stderr, stdout);
  if (s === "lines") return new LinesDisplay(tally, stderr, stdout);
  return new QuietDisplay(stdout);
}
