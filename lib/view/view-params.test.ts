import { expect, it } from "vitest";
import { parseFields, parseView, toggleField, viewProblems, viewQuery } from "./view-params";

const params = (query: string) => new URLSearchParams(query);

it("reads the fields of a pasted URL, ignoring blanks and repeats", () => {
  expect(parseFields(null)).toBeNull();
  expect(parseFields("")).toBeNull();
  expect(parseFields("temp, current,,temp")).toEqual(["temp", "current"]);
});

it("toggles one field, and back to all when every field is shown again", () => {
  const all = ["current", "temp"];
  const hidden = toggleField(null, all, "temp");
  expect(hidden).toEqual(["current"]);
  expect(toggleField(hidden, all, "temp")).toBeNull();
  // Turning off the one field left changes nothing.
  expect(toggleField(hidden, all, "current")).toBe(hidden);
  expect(toggleField(["current", "gone"], all, "current")).toEqual(["current", "gone"]);
});

it("writes a canonical query", () => {
  expect(viewQuery({ range: "1h", window: null, fields: null, decimals: {} })).toBe("?range=1h");
  expect(viewQuery({ range: "24h", window: null, fields: ["temp", "joints.0"], decimals: {} })).toBe("?range=24h&fields=joints.0,temp");
  expect(viewQuery({ range: "1h", window: { from: 1000, to: 5000 }, fields: ["temp"], decimals: {} })).toBe("?range=1h&from=1000&to=5000&fields=temp");
});

it("restores a fixed window from a deep link, on top of the range Reset returns to", () => {
  const view = parseView(params("range=24h&from=1000&to=5000&fields=temp"));
  expect(view).toEqual({ range: "24h", window: { from: 1000, to: 5000 }, fields: ["temp"], decimals: {} });
  expect(parseView(params(viewQuery(view).slice(1)))).toEqual(view);
});

it("falls back to the live range when the window in the link is not valid", () => {
  expect(parseView(params("range=7d&from=5000&to=1000"))).toEqual({ range: "7d", window: null, fields: null, decimals: {} });
  expect(parseView(params("from=1000"))).toEqual({ range: "5m", window: null, fields: null, decimals: {} });
});

it("keeps the decimals chosen per field, readable in the link", () => {
  const view = parseView(params("range=1h&decimals=temp:1,current:3"));
  expect(view.decimals).toEqual({ temp: 1, current: 3 });
  expect(viewQuery(view)).toBe("?range=1h&decimals=current:3,temp:1");
});

it("says what in a link it cannot show, and nothing for a good one", () => {
  expect(viewProblems(params("range=1h&from=1000&to=5000"))).toEqual([]);
  expect(viewProblems(params(""))).toEqual([]);
  expect(viewProblems(params("range=bogus"))).toEqual(['range "bogus" is not one of 5m, 1h, 24h, 7d, 30d']);
  expect(viewProblems(params("from=abc&to=def"))).toEqual(["from/to: From is not a date and time."]);
  expect(viewProblems(params("from=5000&to=1000"))).toEqual(["from/to: From must be before To."]);
  expect(viewProblems(params("from=5000"))).toEqual(["from/to: a window needs both from and to"]);
});
