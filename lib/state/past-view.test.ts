import { expect, it } from "vitest";
import { pastAt, pastWindowEnd } from "./past-view";

it("starts a past view at its moment, loading, still", () => {
  expect(pastAt(1000)).toEqual({ at: 1000, cursor: 1000, state: "loading", error: null, topics: null, playing: null, stopped: null, sparklines: null });
});

it("moves the charts' end on by whole steps as playback moves the cursor", () => {
  const at = 1_000_000;
  const fiveMin = 300_000; // a step of 15 s
  expect(pastWindowEnd(at, at, fiveMin)).toBe(at);
  expect(pastWindowEnd(at, at + 1, fiveMin)).toBe(at + 15_000);
  expect(pastWindowEnd(at, at + 15_000, fiveMin)).toBe(at + 15_000);
  expect(pastWindowEnd(at, at + 15_001, fiveMin)).toBe(at + 30_000);
  // Short ranges step 5 s at least; a cursor before the moment (never, but) keeps it.
  expect(pastWindowEnd(at, at + 1, 60_000)).toBe(at + 5_000);
  expect(pastWindowEnd(at, at - 10, fiveMin)).toBe(at);
});
