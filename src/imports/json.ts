/**
 * Reading the JSON of exports: Telegram Desktop writes control characters as `\xNN`, which is not JSON,
 * so those are repaired first; and a malformed file is reported with its line and column, which
 * JSON.parse does not always give.
 */
import { UsageError } from "../model/index.js";

/**
 * Replace `\xNN` escapes by `\u00NN`, only where the backslash is not itself escaped (it starts an odd
 * run of backslashes), so `\\x41` (a backslash then "x41") stays as it is.
 */
export function repairHexEscapes(text: string): string {
  if (!text.includes("\\x")) return text;
  return text.replace(/(?<!\\)((?:\\\\)*)\\x([0-9A-Fa-f]{2})/g, "$1\\u00$2");
}

/** Line and column (1-based) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/**
 * Parse `text` (after repairing `\xNN`), or throw a one-line UsageError "FILE:LINE:COL: malformed JSON (...)".
 */
export function parseExportJson(text: string, file: string): unknown {
  const repaired = repairHexEscapes(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  try {
    return JSON.parse(repaired);
  } catch (e) {
    const at = findJsonError(repaired);
    const { line, column } = lineColumn(repaired, at.offset);
    throw new UsageError(`${file}:${line}:${column}: malformed JSON (${at.reason})`, { cause: e });
  }
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * The offset and reason of the first syntax error in `s`, found by a small validating scanner (it builds
 * nothing). Only called once JSON.parse failed.
 */
export function findJsonError(s: string): { offset: number; reason: string } {
  let i = 0;
  const n = s.length;
  // Open containers: "{" or "[".
  const stack: string[] = [];
  const skipWs = (): void => {
    while (i < n && WS.has(s.charCodeAt(i))) i++;
  };
  const fail = (reason: string): { offset: number; reason: string } => ({ offset: Math.min(i, n), reason });
  const str = (): string | undefined => {
    i++; // opening quote
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return "control character in a string";
      if (c === 0x5c) {
        const e = s[i + 1];
        if (e === "u") {
          if (!/^[0-9A-Fa-f]{4}$/.test(s.slice(i + 2, i + 6))) return "bad \\u escape";
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return `bad escape \\${e ?? ""}`;
        continue;
      }
      i++;
    }
    return "unterminated string";
  };
  const value = (): string | undefined => {
    skipWs();
    if (i >= n) return "unexpected end of input";
    const c = s[i]!;
    if (c === '"') return str();
    if (c === "{" || c === "[") {
      stack.push(c);
      i++;
      skipWs();
      if (s[i] === (c === "{" ? "}" : "]")) {
        stack.pop();
        i++;
        return undefined;
      }
      return c === "{" ? member() : value();
    }
    const lit = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(s.slice(i, i + 400));
    if (!lit) return `unexpected ${JSON.stringify(c)}`;
    i += lit[0].length;
    return undefined;
  };
  const member = (): string | undefined => {
    skipWs();
    if (s[i] !== '"') return i >= n ? "unexpected end of input" : "expected a property name in double quotes";
    const bad = str();
    if (bad) return bad;
    skipWs();
    if (s[i] !== ":") return "expected ':' after a property name";
    i++;
    return value();
  };
  let bad = value();
  while (!bad && stack.length > 0) {
    skipWs();
    const top = stack[stack.length - 1]!;
    if (s[i] === ",") {
      i++;
      bad = top === "{" ? member() : value();
    } else if (s[i] === (top === "{" ? "}" : "]")) {
      stack.pop();
      i++;
    } else bad = i >= n ? "unexpected end of input" : `expected ',' or '${top === "{" ? "}" : "]"}'`;
  }
  if (bad) return fail(bad);
  skipWs();
  if (i < n) return fail("unexpected text after the end");
  return fail("invalid JSON");
}
