import { expect, it } from "vitest";
import { parseFields, toggleField, viewQuery } from "./view-params";

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
});

it("writes a canonical query", () => {
  expect(viewQuery("1h", null)).toBe("?range=1h");
  expect(viewQuery("24h", ["temp", "joints.0"])).toBe("?range=24h&fields=joints.0,temp");
});
