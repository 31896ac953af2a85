import { expect, it } from "vitest";
import { orderDevices, sameRoster } from "./fleet-order";
import type { LiveDevice } from "../state/live-devices";

const dev = (id: string, site: string, status: LiveDevice["status"], lastSeen: number, arrivals: number[] = []): LiveDevice => ({
  id, name: id, site, convention: "demo", status, statusReason: null, since: null, units: {}, lastSeen, values: {}, series: {}, arrivals,
});
const devices = [dev("arm-10", "b", "online", 5, [0, 100, 200]), dev("arm-2", "a", "offline", 9), dev("arm-1", "b", "unknown", 1, [0, 1000])];
const events = new Map([["arm-1", [{ t: 900, kind: "alarm" as const, level: "warning", text: "x", seq: 1 }]]]);
const ids = (sort: Parameters<typeof orderDevices>[2], bySite = false) => orderDevices(devices, events, sort, bySite, 1000).map((d) => d.id);

it("sorts by name in natural order, or by status, last seen, rate or alarms", () => {
  expect(ids("name")).toEqual(["arm-1", "arm-2", "arm-10"]);
  expect(ids("status")).toEqual(["arm-2", "arm-1", "arm-10"]);
  expect(ids("lastSeen")).toEqual(["arm-2", "arm-10", "arm-1"]);
  expect(ids("rate")).toEqual(["arm-10", "arm-1", "arm-2"]);
  expect(ids("alarms")).toEqual(["arm-1", "arm-2", "arm-10"]);
});

it("groups by site first when asked", () => {
  expect(ids("name", true)).toEqual(["arm-2", "arm-1", "arm-10"]);
});

it("devices that appear later take their place among those already sorted", () => {
  const first = [dev("arm-1", "b", "online", 0), dev("arm-30", "b", "online", 0)];
  expect(orderDevices(first, new Map(), "name", true, 0).map((d) => d.id)).toEqual(["arm-1", "arm-30"]);
  const later = [...first, dev("arm-4", "b", "online", 0), dev("arm-200", "a", "online", 0), dev("arm-12", "b", "online", 0)];
  expect(orderDevices(later, new Map(), "name", true, 0).map((d) => d.id)).toEqual(["arm-200", "arm-1", "arm-4", "arm-12", "arm-30"]);
  expect(orderDevices(later, new Map(), "name", false, 0).map((d) => d.id)).toEqual(["arm-1", "arm-4", "arm-12", "arm-30", "arm-200"]);
});

it("the same devices on the same sites are the same roster, whatever their values", () => {
  const a = new Map(devices.map((d) => [d.id, d]));
  const moved = new Map(a).set("arm-1", { ...a.get("arm-1")!, lastSeen: 999, status: "online" });
  expect(sameRoster(a, moved)).toBe(true);
  expect(sameRoster(a, new Map(a).set("arm-2", { ...a.get("arm-2")!, site: "c" }))).toBe(false);
  expect(sameRoster(a, new Map(a).set("arm-3", dev("arm-3", "a", "online", 0)))).toBe(false);
  const swapped = new Map(a);
  swapped.delete("arm-10");
  swapped.set("arm-11", dev("arm-11", "b", "online", 0));
  expect(sameRoster(a, swapped)).toBe(false);
});
