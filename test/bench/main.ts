/**
 * Benchmark dispatcher: `npm run bench -- <name>...` runs test/bench/<name>.ts, each in a process of its
 * own (so memory figures do not mix); no name runs every benchmark present. Not part of `npm test`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const present = readdirSync(here)
  // A benchmark is NAME.ts with a plain name (no scratch files like x.tmp.ts, no tests).
  .filter((f) => /^[\w-]+\.ts$/.test(f) && f !== "main.ts")
  .map((f) => f.slice(0, -3))
  .sort();
const asked = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = asked.length > 0 ? asked : present;

let failed = 0;
for (const name of names) {
  const file = join(here, `${name}.ts`);
  if (!existsSync(file)) {
    console.error(`bench: no test/bench/${name}.ts (present: ${present.join(", ") || "none"})`);
    failed++;
    continue;
  }
  console.log(`\n== bench ${name} ==`);
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", file], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`bench ${name}: exit ${r.status ?? r.signal}`);
    failed++;
  }
}
process.exitCode = failed > 0 ? 1 : 0;
