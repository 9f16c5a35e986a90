// tempDir() removes what it made: after the test that made it, or after the file for folders made outside tests.
import { existsSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "./tempDir.js";

describe("tempDir", () => {
  const shared = tempDir("tgrelay-helper-shared-");
  let made: string | undefined;

  it("makes a fresh folder with the prefix, removed with what it holds when the test finishes", () => {
    made = tempDir("tgrelay-helper-");
    expect(basename(made)).toMatch(/^tgrelay-helper-.{6}$/u);
    writeFileSync(join(made, "f"), "x");
    expect(existsSync(made)).toBe(true);
  });

  it("(the previous test's folder is gone; one made outside a test stays for the file's other tests)", () => {
    expect(made).toBeDefined();
    expect(existsSync(made!)).toBe(false);
    expect(existsSync(shared)).toBe(true);
  });
});
