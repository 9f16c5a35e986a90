/**
 * Where option values come from, with precedence flags > env (TGRELAY_*) > config file
 * (tgrelay.config.json in the working folder, or --config). Values keep their origin so an error names it.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "../model/errors.js";
import { envOf, keyOf, optionByKey, optionsOf, type CommandName, type OptionDef } from "./options.js";

/** A raw value and where it came from ("--mode", "TGRELAY_MODE", "tgrelay.config.json"). */
export interface RawValue {
  readonly value: string | boolean | string[];
  readonly origin: string;
}

export type RawOptions = Map<string, RawValue>;

export const DEFAULT_CONFIG = "tgrelay.config.json";

/** A loaded config file: option values by camelCase key. */
export interface ConfigFile {
  readonly path: string;
  readonly values: Record<string, unknown>;
}

/**
 * Read the config file: --config (must exist) or ./tgrelay.config.json (optional). Keys are option names in
 * camelCase or kebab-case; an unknown key, a secret, or a value of the wrong JSON type is a usage error.
 */
export function loadConfigFile(explicit: string | undefined, cwd: string): ConfigFile | undefined {
  const path = resolve(cwd, explicit ?? DEFAULT_CONFIG);
  if (!existsSync(path)) {
    if (explicit !== undefined) throw new UsageError(`--config ${JSON.stringify(explicit)}: no such file ${path}`);
    return undefined;
  }
  let parsed: unknown;
  try {
    // Windows editors (Notepad) may start the file with a byte order mark, which JSON.parse refuses.
    parsed = JSON.parse(readFileSync(path, "utf8").replace(/^\uFEFF/u, ""));
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${path}: expected a JSON object of options`);
  }
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (k === "$schema" || k === "//") continue;
    const def = optionByKey(k);
    if (!def || def.name === "config") throw new UsageError(`${path}: unknown key "${k}"`);
    if (def.secret) {
      throw new UsageError(`${path}: "${k}" is a secret and is not read from the config file; use ${envOf(def.name)} or ${keyOf(def.name)}File (mode 0600)`);
    }
    values[keyOf(def.name)] = v;
  }
  return { path, values };
}

function fromJson(def: OptionDef, v: unknown, origin: string): RawValue {
  if (def.type === "boolean") {
    if (typeof v !== "boolean") throw new UsageError(`${origin}: "${keyOf(def.name)}" must be true or false`);
    return { value: v, origin };
  }
  if (def.type === "array") {
    const list = Array.isArray(v) ? v : [v];
    if (!list.every((x) => typeof x === "string" || typeof x === "number")) {
      throw new UsageError(`${origin}: "${keyOf(def.name)}" must be a string or a list of strings`);
    }
    return { value: list.map(String), origin };
  }
  if (typeof v !== "string" && typeof v !== "number") throw new UsageError(`${origin}: "${keyOf(def.name)}" must be a string or a number`);
  return { value: String(v), origin };
}

function fromEnv(def: OptionDef, v: string, origin: string): RawValue {
  if (def.type === "boolean") {
    const s = v.trim().toLowerCase();
    if (["1", "true", "yes", "on"].includes(s)) return { value: true, origin };
    if (["0", "false", "no", "off", ""].includes(s)) return { value: false, origin };
    throw new UsageError(`${origin}=${JSON.stringify(v)}: expected true or false`);
  }
  if (def.type === "array") {
    const t = v.trim();
    if (t.startsWith("[")) {
      try {
        const list = JSON.parse(t) as unknown;
        if (Array.isArray(list) && list.every((x) => typeof x === "string")) return { value: list, origin };
      } catch { /* reported below */ }
      throw new UsageError(`${origin}: expected a JSON list of strings`);
    }
    // --replace rules may hold commas: in env a single rule unless given as a JSON list.
    return { value: def.name === "replace" ? [v] : t.split(",").map((s) => s.trim()).filter(Boolean), origin };
  }
  return { value: v, origin };
}

function fromFlag(def: OptionDef, v: unknown): RawValue | undefined {
  const origin = `--${def.name}`;
  if (v === undefined) return undefined;
  if (def.type === "boolean") return { value: Boolean(v), origin };
  if (def.type === "array") {
    const list = (Array.isArray(v) ? v : [v]).map(String);
    return { value: list, origin };
  }
  if (Array.isArray(v)) throw new UsageError(`--${def.name} is given ${v.length} times; give it once`);
  return { value: String(v), origin };
}

/**
 * Merge the three sources for one command: for each option, the flag if given, else the env variable, else
 * the config-file key. Options of other commands found in the config file are ignored (one file serves all).
 */
export function mergeSources(
  command: CommandName,
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  file: ConfigFile | undefined,
): RawOptions {
  const out: RawOptions = new Map();
  for (const def of optionsOf(command)) {
    const key = keyOf(def.name);
    const flag = def.noFlag ? undefined : fromFlag(def, flags[key] ?? flags[def.name]);
    if (flag) { out.set(key, flag); continue; }
    const envName = envOf(def.name);
    const envValue = env[envName];
    if (envValue !== undefined && !(def.type !== "boolean" && envValue === "")) {
      out.set(key, fromEnv(def, envValue, envName));
      continue;
    }
    if (file && key in file.values) out.set(key, fromJson(def, file.values[key], file.path));
  }
  return out;
}
