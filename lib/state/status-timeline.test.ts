import { describe, expect, it } from "vitest";
import { onlineShare, sharePercent, statusAt, statusSegments, storedChanges } from "./status-timeline";

describe("storedChanges", () => {
  it("takes the window's changes and the one it opens with, with their reasons, and nothing that is not online or offline", () => {
    const h = {
      changes: [
        { ts: 30, status: "online", reason: "NBIRTH bdSeq 1" },
        { ts: 25, status: "unknown", reason: null },
        { ts: 20, status: "offline", reason: null },
      ],
      before: { ts: 5, status: "online", reason: "LWT Online" },
      truncated: false,
    };
    expect(storedChanges(h)).toEqual([
      { t: 30, status: "online", reason: "NBIRTH bdSeq 1" },
      { t: 20, status: "offline" },
      { t: 5, status: "online", reason: "LWT Online" },
    ]);
    // Cut: the oldest of the window are missing, so the change before it does not open what was fetched.
    expect(storedChanges({ ...h, truncated: true }).map((c) => c.t)).toEqual([30, 20]);
  });
});

describe("statusSegments with reasons", () => {
  it("gives each segment the reason of the change that began it", () => {
    const changes = [{ t: 300, status: "offline" as const, reason: "NDEATH bdSeq 0" }, { t: 700, status: "online" as const, reason: "NBIRTH bdSeq 1" }];
    expect(statusSegments(changes, "online", 0, 1000, "LWT Online")).toEqual([
      { from: 0, to: 300, status: "online", reason: "LWT Online" },
      { from: 300, to: 700, status: "offline", reason: "NDEATH bdSeq 0" },
      { from: 700, to: 1000, status: "online", reason: "NBIRTH bdSeq 1" },
    ]);
  });
});

describe("statusSegments", () => {
  it("tiles the window from the status it opens with through each change", () => {
    const changes = [{ t: 300, status: "offline" as const }, { t: 700, status: "online" as const }];
    expect(statusSegments(changes, "online", 0, 1000)).toEqual([
      { from: 0, to: 300, status: "online" },
      { from: 300, to: 700, status: "offline" },
      { from: 700, to: 1000, status: "online" },
    ]);
  });

  it("leaves the time before the first known status unknown", () => {
    expect(statusSegments([{ t: 400, status: "online" }], "unknown", 0, 1000)).toEqual([
      { from: 0, to: 400, status: "unknown" },
      { from: 400, to: 1000, status: "online" },
    ]);
  });

  it("joins repeats (a retained status seen again, a stored and a live copy), in any order", () => {
    const changes = [{ t: 600, status: "online" as const }, { t: 200, status: "online" as const }, { t: 600, status: "online" as const }, { t: 500, status: "offline" as const }];
    expect(statusSegments(changes, "offline", 0, 1000)).toEqual([
      { from: 0, to: 200, status: "offline" },
      { from: 200, to: 500, status: "online" },
      { from: 500, to: 600, status: "offline" },
      { from: 600, to: 1000, status: "online" },
    ]);
  });

  it("ignores changes outside the window and is empty for an empty window", () => {
    expect(statusSegments([{ t: -5, status: "offline" }, { t: 2000, status: "offline" }], "online", 0, 1000)).toEqual([{ from: 0, to: 1000, status: "online" }]);
    expect(statusSegments([], "online", 10, 10)).toEqual([]);
  });

  it("a change at the window's very start is what it opens with", () => {
    expect(statusSegments([{ t: 0, status: "offline" }], "online", 0, 10)).toEqual([{ from: 0, to: 10, status: "online" }]);
    expect(statusSegments([{ t: 1, status: "offline" }, { t: 1, status: "online" }], "online", 0, 10)).toEqual([{ from: 0, to: 10, status: "online" }]);
  });
});

it("statusAt takes the latest change at or before an instant", () => {
  const changes = [{ t: 10, status: "online" as const }, { t: 30, status: "offline" as const }];
  expect(statusAt(changes, 5)).toBe("unknown");
  expect(statusAt(changes, 10)).toBe("online");
  expect(statusAt(changes, 99)).toBe("offline");
});

it("onlineShare counts only the time something is known", () => {
  expect(onlineShare([{ from: 0, to: 100, status: "unknown" }, { from: 100, to: 175, status: "online" }, { from: 175, to: 200, status: "offline" }])).toBe(0.75);
  expect(onlineShare([{ from: 0, to: 100, status: "unknown" }])).toBeNull();
});

it("sharePercent says 100% and 0% only when it is so", () => {
  expect(sharePercent(1)).toBe("100%");
  expect(sharePercent(0)).toBe("0%");
  expect(sharePercent(0.5)).toBe("50%");
  expect(sharePercent(0.998)).toBe("99.8%");
  expect(sharePercent(0.99999)).toBe("99.9%");
  expect(sharePercent(0.002)).toBe("0.2%");
  expect(sharePercent(0.00001)).toBe("0.1%");
});
