// The CLI run from source (no build needed), as bin/tgrelay.js runs it from dist/: for the crash test.
import { main } from "../../src/cli/main.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`tgrelay: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
