#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm run build` (run by `npm start`, `npm test` and `npm run bench`).
import { main } from "../dist/cli/main.js";

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`tgrelay: ${err && err.message ? err.message : err}`); process.exitCode = 1; },
);
