import { expect, it } from "vitest";
import { toLocalInput } from "../view/time-window";
import { aroundCursor, countLines, exportRequest, progressText } from "./export-window";

it("exports five minutes either side of the cursor, never past now", () => {
  expect(aroundCursor(1_000_000, 2_000_000)).toEqual({ from: 700_000, to: 1_300_000 });
  expect(aroundCursor(1_000_000, 1_100_000)).toEqual({ from: 700_000, to: 1_100_000 });
});

it("asks for the window and filter in the form, or says what to fix", () => {
  const from = new Date(2026, 11, 4, 3, 10).getTime();
  const to = from + 120_000;
  const r = exportRequest(toLocalInput(from), toLocalInput(to), " fleet/+/arm-01/# ", "csv");
  expect(r).toEqual({ ok: true, url: `/api/export?from=${from}&to=${to}&topic=fleet%2F%2B%2Farm-01%2F%23&format=csv`, filename: `fleetscope-${from}-${to}.csv` });
  expect(exportRequest(toLocalInput(from), toLocalInput(to), "", "jsonl")).toMatchObject({ ok: true, url: expect.stringContaining("topic=%23") });
  expect(exportRequest(toLocalInput(to), toLocalInput(from), "#", "jsonl")).toEqual({ ok: false, error: "From must be before To." });
  expect(exportRequest(toLocalInput(from), toLocalInput(to), "fleet/#/x", "jsonl")).toMatchObject({ ok: false, error: expect.stringMatching(/^Topic filter: /) });
});

it("counts the rows streamed and says how far along they are", () => {
  expect(countLines(new TextEncoder().encode('{"a":1}\n{"a":2}\n{"a'))).toBe(2);
  expect(progressText(1234, null)).toBe("1,234 rows");
  expect(progressText(1234, 5000)).toBe("1,234 of about 5,000 rows (24%)");
  // An estimate is an estimate: more rows than it said stays at 100%.
  expect(progressText(6000, 5000)).toBe("6,000 of about 5,000 rows (100%)");
});
