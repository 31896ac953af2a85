import { describe, expect, it } from "vitest";
import { BUILT_IN_CONVENTIONS } from "../devices/builtin";
import { Interpreter } from "../devices/registry";
import { readBatch } from "./live-devices";
import { ALARM_WINDOW_MS, applyEventMessages as applyRead, EVENTS_PER_DEVICE, levelChoices, mergeEvents, passesLevel, recentAlarms, toEvent } from "./device-events";

const applyEventMessages = (events: Parameters<typeof applyRead>[0], batch: Parameters<typeof readBatch>[0]) => applyRead(events, readBatch(batch, new Interpreter(BUILT_IN_CONVENTIONS)));

describe("toEvent", () => {
  it("reads alarms and logs with their level, code and message", () => {
    expect(toEvent("fleet/s/a1/alarm", '{"seq":3,"level":"warning","code":"MOTOR_HOT","temp":61}', 5)).toEqual({
      device: "a1",
      event: { t: 5, kind: "alarm", level: "warning", text: "MOTOR_HOT", seq: 3 },
    });
    expect(toEvent("fleet/s/a1/log", '{"seq":1,"level":"info","msg":"cycle complete"}', 6)?.event).toMatchObject({ kind: "log", level: "info", text: "cycle complete" });
  });

  it("keeps a non-JSON payload as bounded text", () => {
    const e = toEvent("fleet/s/a1/log", "x".repeat(2000), 1)!.event;
    expect(e.text).toHaveLength(500);
    expect(e.level).toBe("info");
  });

  it("turns status into an event and ignores other topics", () => {
    expect(toEvent("fleet/s/a1/status", "offline", 1)?.event).toMatchObject({ kind: "status", text: "offline", level: "warning" });
    expect(toEvent("fleet/s/a1/telemetry", "{}", 1)).toBeNull();
    expect(toEvent("fleet/s/a1/log/extra", "{}", 1)).toBeNull();
  });
});

describe("mergeEvents", () => {
  it("orders newest first and keeps one copy of an event seen live and from the store", () => {
    const live = [{ t: 100, kind: "log" as const, level: "info", text: "a", seq: 1 }];
    const stored = [{ t: 99, kind: "log" as const, level: "info", text: "a", seq: 1 }, { t: 50, kind: "alarm" as const, level: "warning", text: "b", seq: 7 }];
    expect(mergeEvents(live, stored).map((e) => e.t)).toEqual([100, 50]);
  });

  it("is bounded", () => {
    const many = Array.from({ length: EVENTS_PER_DEVICE + 50 }, (_, i) => ({ t: i, kind: "log" as const, level: "info", text: String(i), seq: i }));
    const merged = mergeEvents([], many);
    expect(merged).toHaveLength(EVENTS_PER_DEVICE);
    expect(merged[0]!.t).toBe(EVENTS_PER_DEVICE + 49);
  });
});

describe("applyEventMessages", () => {
  it("adds live changes, and not the retained copy the broker sends on each subscribe", () => {
    const events = applyEventMessages(new Map(), [
      { topic: "fleet/s/a1/status", payload: "online", ts: 100, retain: true },
      { topic: "fleet/s/a1/status", payload: "offline", ts: 200, retain: false },
      { topic: "fleet/s/a1/alarm", payload: '{"code":"HOT"}', ts: 300, retain: true },
    ]);
    expect(events.get("a1")).toEqual([{ t: 200, kind: "status", level: "warning", text: "offline", seq: null, status: "offline", reason: "status offline" }]);
    const retainedOnly = new Map();
    expect(applyEventMessages(retainedOnly, [{ topic: "fleet/s/a1/status", payload: "online", ts: 400, retain: true }])).toBe(retainedOnly);
  });
});

describe("level filter", () => {
  it("lets a known level and every more severe one through, and a device's own word only itself", () => {
    expect(["debug", "info", "WARN", "error", "critical", "boot"].filter((l) => passesLevel(l, "info"))).toEqual(["info", "WARN", "error", "critical"]);
    expect(["warning", "error", "boot"].filter((l) => passesLevel(l, "error"))).toEqual(["error"]);
    expect(["boot", "info", "boot2"].filter((l) => passesLevel(l, "boot"))).toEqual(["boot"]);
    expect(passesLevel("anything", "all")).toBe(true);
    expect(["constructor", "error"].filter((l) => passesLevel(l, "info"))).toEqual(["error"]);
  });

  it("offers the levels present by severity, then the device's own words", () => {
    expect(levelChoices(["error", "zeta", "info", "warning", "info", "<b>x</b>"])).toEqual([
      { value: "info", label: "info and above" },
      { value: "warning", label: "warning and above" },
      { value: "error", label: "error" },
      { value: "<b>x</b>", label: "<b>x</b>" },
      { value: "zeta", label: "zeta" },
    ]);
    // A device's word that an object's prototype has is still the device's own.
    expect(levelChoices(["constructor", "info"])).toEqual([
      { value: "info", label: "info" },
      { value: "constructor", label: "constructor" },
    ]);
  });
});

describe("recentAlarms", () => {
  it("counts the alarms of the last hour in a newest-first feed", () => {
    const now = 10 * ALARM_WINDOW_MS;
    const feed = mergeEvents([], [
      { t: now - 1000, kind: "alarm", level: "warning", text: "a", seq: 3 },
      { t: now - 2000, kind: "log", level: "info", text: "l", seq: 2 },
      { t: now - ALARM_WINDOW_MS - 1, kind: "alarm", level: "warning", text: "old", seq: 1 },
    ]);
    expect(recentAlarms(feed, now)).toBe(1);
    expect(recentAlarms(undefined, now)).toBe(0);
  });
});
