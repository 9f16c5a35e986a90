// tdl's chat export JSON: a list of ids to read from Telegram, grouped ids kept to the last bit.
import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseTdlExport, readTdlExport, tdlIds } from "../../src/imports/index.js";
import { UsageError } from "../../src/model/index.js";
import { tmp } from "../archive/helpers.js";

describe("tdl chat export", () => {
  it("gives ascending ids from a newest-first export", () => {
    const text = '{"id":2063623758,"messages":[{"id":292,"type":"message","file":"5796210936531503076.jpg"},{"id":256,"type":"message","file":"Kelidar (15).mp3","date":1749133400,"text":"caption"}]}';
    const exp = parseTdlExport(text);
    expect(exp.chatId).toBe("2063623758");
    expect(tdlIds(exp)).toEqual([256, 292]);
    expect(exp.messages[0]).toEqual({ id: 256, file: "Kelidar (15).mp3", date: 1749133400, text: "caption" });
  });

  it("keeps 64-bit GroupedIDs exactly (JSON.parse would round them) and treats 0 as no album", () => {
    // 9007199254740993 = 2^53 + 1 and 13585624418290571 both lose their last digits through a double.
    const text = JSON.stringify({
      id: 5,
      messages: [
        { id: 12, type: "message", file: "a.jpg", raw: { ID: 12, GroupedID: 0 } },
        { id: 11, type: "message", file: "b.jpg", raw: { ID: 11, GroupedID: 1 } },
        { id: 10, type: "message", file: "c.jpg", raw: { ID: 10, GroupedID: 2 } },
      ],
    })
      .replace('"GroupedID":1', '"GroupedID":9007199254740993')
      .replace('"GroupedID":2', '"GroupedID": 13585624418290571');
    const exp = parseTdlExport(text);
    expect(exp.messages.map((m) => [m.id, m.groupedId])).toEqual([
      [10, "13585624418290571"],
      [11, "9007199254740993"],
      [12, undefined],
    ]);
  });

  it("does not touch a GroupedID written inside a string", () => {
    const text = JSON.stringify({ id: 5, messages: [{ id: 1, type: "message", text: '"GroupedID":123', raw: { GroupedID: 7 } }] });
    const exp = parseTdlExport(text);
    expect(exp.messages[0]).toMatchObject({ text: '"GroupedID":123', groupedId: "7" });
  });

  it("clear errors: a missing file, malformed JSON with its line, a file that is no tdl export", async () => {
    await expect(readTdlExport("/nonexistent/tdl-export.json")).rejects.toThrow(UsageError);
    const dir = tmp();
    const bad = path.join(dir, "tdl-export.json");
    await fs.writeFile(bad, '{"id": 5,\n"messages": [{"id": 1,}]}');
    await expect(readTdlExport(bad)).rejects.toThrow(/tdl-export\.json:2:23: malformed JSON/);
    expect(() => parseTdlExport('{"name":"x"}')).toThrow(/not a tdl chat export/);
  });
});

describe("exportKind", () => {
  it("tells a tdl export from a Telegram Desktop one", async () => {
    const { exportKind } = await import("../../src/imports/index.js");
    const dir = tmp();
    await fs.writeFile(path.join(dir, "tdl-export.json"), '{"id":2063623758,"messages":[{"id":292,"type":"message","file":"x.jpg"}]}');
    await fs.writeFile(path.join(dir, "result.json"), '{\n "name": "c",\n "type": "public_channel",\n "id": 5,\n "messages": []\n}');
    expect(await exportKind(`export:${path.join(dir, "tdl-export.json")}`)).toBe("tdl");
    expect(await exportKind(`export:${path.join(dir, "result.json")}`)).toBe("desktop");
    expect(await exportKind(`export:${dir}`)).toBe("desktop");
  });
});
