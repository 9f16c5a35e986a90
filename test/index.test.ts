import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";

describe("the package root", () => {
  it("exports every name the README's library examples use", () => {
    const names = [
      "main", "relay", "schedule", "bufferByMediaGroup", "orderedMergeMap", "retryOnFloodWait", "ByteBudget", "pullPages",
      "SqliteJournal", "MemoryJournal", "jobIdOf", "listJobs", "Emulator", "compareChats", "formatDifferences",
      "openAccount", "createClient", "connectClient", "lockSession", "readSession", "writeSession", "login", "apiCredentials",
      "archiveSink", "openArchiveSource", "openDesktopExport", "readTdlExport", "FloodWait", "UsageError", "batchOf",
    ];
    const missing = names.filter((n) => typeof (api as Record<string, unknown>)[n] !== "function");
    expect(missing).toEqual([]);
  });
});
