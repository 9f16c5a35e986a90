/**
 * Runs the diagram files of marbles/ as tests: the files are the specification, and this helper is the
 * only way a test reads them.
 *
 * File format (one behaviour per file, swirly-like):
 *
 * ```
 * % comment lines say what the case shows
 * source:  -a-b-x-|              an input: `name: marble` (cold; hot when it contains ^)
 * > bufferByMediaGroup(keyOf)    the operator line
 *          -----(PX)-|           the expected output (an optional `result:` prefix)
 * ^-----!                        optional: when the result is unsubscribed (a line starting with ^)
 * source subs: ^------!          optional, repeatable: expected subscriptions of an input ("none": never)
 * P := [a, b]                    value definitions, for the picture only
 * ```
 *
 * A line before `>` without `name:` is the input called `source`. Letters map to values given by the
 * test (per input or shared); without a map, a letter is itself.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Observable } from "rxjs";
import { TestScheduler, type RunHelpers } from "rxjs/testing";
import { expect } from "vitest";

export const MARBLES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "marbles");

export interface MarbleInput {
  readonly name: string;
  readonly marble: string;
  readonly hot: boolean;
}

export interface MarbleCase {
  /** File name without `.txt`, e.g. "bufferByMediaGroup.standalone-closes-album". */
  readonly name: string;
  readonly comments: readonly string[];
  /** Text of the `>` line. */
  readonly operator: string;
  readonly inputs: readonly MarbleInput[];
  readonly expected: string;
  /** Unsubscription marble of the result, if any. */
  readonly unsubscribe?: string;
  /** Expected subscription marbles per input name. */
  readonly subscriptions: Readonly<Record<string, readonly string[]>>;
  /** `X := ...` lines, for the picture. */
  readonly definitions: Readonly<Record<string, string>>;
}

const NAMED = /^([A-Za-z_][\w]*)\s*:(?!=)\s*(.*)$/;
const SUBS = /^([A-Za-z_][\w]*)\s+subs\s*:\s*(.*)$/;
const DEFINITION = /^([A-Za-z_][\w]*)\s*:=\s*(.*)$/;

/** Parse the text of one marble file. */
export function parseMarble(name: string, text: string): MarbleCase {
  const comments: string[] = [];
  const inputs: MarbleInput[] = [];
  const subscriptions: Record<string, string[]> = {};
  const definitions: Record<string, string> = {};
  let operator: string | undefined;
  let expected: string | undefined;
  let unsubscribe: string | undefined;

  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("%")) {
      comments.push(line.slice(1).trim());
      continue;
    }
    const def = DEFINITION.exec(line);
    if (def) {
      definitions[def[1]!] = def[2]!;
      continue;
    }
    if (line.startsWith(">")) {
      if (operator !== undefined) throw new SyntaxError(`${name}: two operator lines`);
      operator = line.slice(1).trim();
      continue;
    }
    if (operator === undefined) {
      const named = NAMED.exec(line);
      const input = named ? { name: named[1]!, marble: named[2]! } : { name: "source", marble: line };
      if (inputs.some((i) => i.name === input.name)) throw new SyntaxError(`${name}: input ${input.name} twice`);
      inputs.push({ ...input, hot: input.marble.includes("^") });
      continue;
    }
    const subs = SUBS.exec(line);
    if (subs) {
      (subscriptions[subs[1]!] ??= []).push(subs[2]!);
      continue;
    }
    if (line.startsWith("^")) {
      unsubscribe = line;
      continue;
    }
    if (expected !== undefined) throw new SyntaxError(`${name}: two expected lines`);
    const named = NAMED.exec(line);
    expected = named && (named[1] === "result" || named[1] === "expected") ? named[2]! : line;
  }
  if (operator === undefined) throw new SyntaxError(`${name}: no operator line (starting with >)`);
  if (expected === undefined) throw new SyntaxError(`${name}: no expected line after the operator line`);
  for (const input of Object.keys(subscriptions)) {
    if (!inputs.some((i) => i.name === input)) throw new SyntaxError(`${name}: subs for unknown input ${input}`);
  }
  return {
    name, comments, operator, inputs, expected, subscriptions, definitions,
    ...(unsubscribe !== undefined ? { unsubscribe } : {}),
  };
}

/** Load marbles/<name>.txt. */
export function loadMarble(name: string): MarbleCase {
  return parseMarble(name, readFileSync(join(MARBLES_DIR, `${name}.txt`), "utf8"));
}

/** Names (without .txt) of the marble files whose name starts with `prefix.`. */
export function marbleNames(prefix: string): string[] {
  return readdirSync(MARBLES_DIR)
    .filter((f) => f.endsWith(".txt") && f.startsWith(`${prefix}.`))
    .map((f) => f.slice(0, -4))
    .sort();
}

export interface MarbleValues {
  /** Values for the letters of every input. */
  readonly values?: Record<string, unknown>;
  /** Values per input name (win over `values`). */
  readonly inputValues?: Record<string, Record<string, unknown>>;
  /** Error value of `#` per input name. */
  readonly inputErrors?: Record<string, unknown>;
  /** Values of the expected line's letters. */
  readonly expected?: Record<string, unknown>;
  /** Error value of `#` in the expected line. */
  readonly error?: unknown;
}

export type MarbleInputs = Record<string, Observable<any>>;

export interface MarbleTools {
  readonly helpers: RunHelpers;
  readonly scheduler: TestScheduler;
  readonly marble: MarbleCase;
}

/**
 * Run one marble file: build the observable under test from its inputs (cold/hot TestScheduler
 * observables) inside `TestScheduler.run`, and assert the expected line and subscription lines.
 * `after` runs inside `run`, after the virtual time is flushed, for assertions on side effects.
 */
export function runMarble(
  name: string,
  build: (inputs: MarbleInputs, tools: MarbleTools) => Observable<unknown>,
  values: MarbleValues = {},
  after?: (tools: MarbleTools) => void,
): MarbleCase {
  const marble = loadMarble(name);
  const scheduler = new TestScheduler((actual, expectedValue) => expect(actual).toEqual(expectedValue));
  scheduler.run((helpers) => {
    const inputs: MarbleInputs = {};
    const made: Record<string, { subscriptions: unknown[] }> = {};
    for (const input of marble.inputs) {
      const v = values.inputValues?.[input.name] ?? values.values;
      const err = values.inputErrors?.[input.name];
      const obs = input.hot ? helpers.hot(input.marble, v, err) : helpers.cold(input.marble, v, err);
      inputs[input.name] = obs;
      made[input.name] = obs as unknown as { subscriptions: unknown[] };
    }
    const tools: MarbleTools = { helpers, scheduler, marble };
    const result$ = build(inputs, tools);
    helpers
      .expectObservable(result$, marble.unsubscribe)
      .toBe(marble.expected, values.expected, values.error);
    for (const [input, subs] of Object.entries(marble.subscriptions)) {
      // "none": the input is never subscribed.
      const want: string | string[] = subs.length === 1 && subs[0] === "none" ? [] : subs.length === 1 ? subs[0]! : [...subs];
      helpers.expectSubscriptions((made[input]!.subscriptions) as never).toBe(want);
    }
    if (after) {
      helpers.flush();
      after(tools);
    }
  });
  return marble;
}
