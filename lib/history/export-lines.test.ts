import { describe, expect, it } from "vitest";
import { asDeviceId, asEpochMs } from "../devices/model";
import { csvRow, exportFilename, jsonlLine } from "./export-lines";

describe("export lines", () => {
  it("writes a raw message as one JSON line, marking a cut payload and only then", () => {
    const m = { ts: asEpochMs(5), topic: "a/b", qos: 2 as const, retain: true, payload: "//4=", encoding: "base64" as const, seq: 3, truncated: false };
    expect(jsonlLine(m)).toBe('{"ts":5,"topic":"a/b","qos":2,"retain":true,"payload":"//4=","encoding":"base64"}\n');
    expect(JSON.parse(jsonlLine({ ...m, payload: "line\nbreak", encoding: "utf8", truncated: true }))).toMatchObject({ payload: "line\nbreak", truncated: true });
  });

  it("writes a sample as a CSV row whose device and topic text cannot run as a spreadsheet formula", () => {
    const row = csvRow({ ts: asEpochMs(0), topic: "=HYPERLINK(\"x\")", device: asDeviceId("a,b"), field: "temp", value: -1.5 });
    expect(row).toBe(`0,1970-01-01T00:00:00.000Z,"a,b","'=HYPERLINK(""x"")",temp,-1.5\n`);
  });

  it("names the file after its window", () => {
    expect(exportFilename({ from: asEpochMs(Date.UTC(2026, 11, 4, 3, 12)), to: asEpochMs(Date.UTC(2026, 11, 4, 3, 13, 30, 250)) }, "csv")).toBe("fleetscope-20261204T031200Z-20261204T031330Z.csv");
  });
});
