import { expect, it } from "vitest";
import { columnsFor, layoutRows, visibleRows } from "./virtual-rows";

const m = { width: 1000, minCardWidth: 230, gap: 12, cardRowHeight: 180, headerHeight: 40 };

it("fits as many cards per row as the width allows, at least one", () => {
  expect(columnsFor(m)).toBe(4);
  expect(columnsFor({ ...m, width: 100 })).toBe(1);
});

it("lays out headers and card rows with their offsets and the total height", () => {
  const ids = Array.from({ length: 6 }, (_, i) => `d${i}`);
  const { rows, height } = layoutRows([{ site: "a", ids }, { site: "b", ids: ["x"] }], true, m);
  expect(rows.map((r) => [r.kind, r.top])).toEqual([["header", 0], ["cards", 40], ["cards", 220], ["header", 400], ["cards", 440]]);
  expect(rows.map((r) => (r.kind === "cards" ? r.index : null))).toEqual([null, 0, 1, null, 2]);
  expect(height).toBe(620);
  expect(rows[2]).toMatchObject({ ids: ["d4", "d5"] });
});

it("renders only the rows near the viewport, so a thousand devices cost a screenful", () => {
  const ids = Array.from({ length: 1000 }, (_, i) => `d${i}`);
  const { rows } = layoutRows([{ site: "", ids }], false, m);
  const shown = visibleRows(rows, 1800, 2600, 200);
  expect(rows).toHaveLength(250);
  expect(shown.length).toBeLessThanOrEqual(8);
  expect(shown[0]!.top).toBeLessThanOrEqual(1600);
});
