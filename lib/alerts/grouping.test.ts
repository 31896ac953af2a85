import { describe, expect, it } from "vitest";
import { DEFAULT_GROUPING, NotificationPlanner, type GroupingOptions } from "./grouping";
import { fingerprint, type NotifyAlert } from "./labels";

function alert(device: string, status: "firing" | "resolved", alertname = "Hot motor"): NotifyAlert {
  const labels = { alertname, device, severity: "major" };
  return { fingerprint: fingerprint(labels), status, labels, annotations: {}, startsAt: 0, endsAt: status === "resolved" ? 1 : null, generatorURL: "" };
}

const byName: GroupingOptions = { groupBy: ["alertname"], groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3600_000 };
const devices = (n: ReturnType<NotificationPlanner["due"]>[number]) => n.alerts.map((a) => `${a.labels.device}:${a.status}`);

describe("NotificationPlanner with the defaults", () => {
  it("sends a new firing alert at once (the 250 ms figure), and nothing more until it resolves", () => {
    const p = new NotificationPlanner();
    p.update(alert("arm-01", "firing"), false, 1000);
    expect(p.nextAt()).toBe(1000);
    const [first, ...rest] = p.due(1000);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ groupKey: '{}:{alertname="Hot motor", device="arm-01"}', repeat: false, at: 1000 });
    expect(devices(first!)).toEqual(["arm-01:firing"]);
    p.update(alert("arm-01", "firing"), false, 5000); // the same news again: nothing to send
    expect(p.due(3600_000)).toEqual([]);
  });

  it("sends the resolve no sooner than the group interval after the firing", () => {
    const p = new NotificationPlanner();
    p.update(alert("arm-01", "firing"), false, 0);
    p.due(0);
    p.update(alert("arm-01", "resolved"), false, 10_000);
    expect(p.nextAt()).toBe(DEFAULT_GROUPING.groupIntervalMs);
    expect(p.due(29_999)).toEqual([]);
    expect(p.due(30_000).map(devices)).toEqual([["arm-01:resolved"]]);
    expect(p.nextAt()).toBeNull();
  });

  it("repeats a still-firing alert after the repeat interval", () => {
    const p = new NotificationPlanner();
    p.update(alert("arm-01", "firing"), false, 0);
    p.due(0);
    expect(p.nextAt()).toBe(4 * 3600_000);
    expect(p.due(4 * 3600_000)).toMatchObject([{ repeat: true }]);
  });

  it("keeps each device's alert in a group of its own", () => {
    const p = new NotificationPlanner();
    p.update(alert("arm-01", "firing"), false, 0);
    p.update(alert("arm-02", "firing"), false, 0);
    expect(p.due(0).map(devices)).toEqual([["arm-01:firing"], ["arm-02:firing"]]);
  });
});

describe("NotificationPlanner grouping by alertname", () => {
  it("waits group_wait to gather a new group, then sends them together", () => {
    const p = new NotificationPlanner(byName);
    p.update(alert("arm-01", "firing"), false, 0);
    p.update(alert("arm-02", "firing"), false, 10_000);
    expect(p.due(29_999)).toEqual([]);
    const [n] = p.due(30_000);
    expect(n!.groupKey).toBe('{}:{alertname="Hot motor"}');
    expect(devices(n!)).toEqual(["arm-01:firing", "arm-02:firing"]);
  });

  it("sends a change at the next group interval, with every alert of the group", () => {
    const p = new NotificationPlanner(byName);
    p.update(alert("arm-01", "firing"), false, 0);
    p.due(30_000);
    p.update(alert("arm-02", "firing"), false, 40_000);
    expect(p.nextAt()).toBe(330_000);
    expect(p.due(330_000).map(devices)).toEqual([["arm-01:firing", "arm-02:firing"]]);
    p.update(alert("arm-01", "resolved"), false, 400_000);
    expect(p.due(630_000).map(devices)).toEqual([["arm-01:resolved", "arm-02:firing"]]);
    // The resolved one was told: it is gone from the group.
    p.update(alert("arm-02", "resolved"), false, 700_000);
    expect(p.due(930_000).map(devices)).toEqual([["arm-02:resolved"]]);
    expect(p.nextAt()).toBeNull();
  });

  it("drops an alert that resolves before it was ever sent", () => {
    const p = new NotificationPlanner(byName);
    p.update(alert("arm-01", "firing"), false, 0);
    p.update(alert("arm-01", "resolved"), false, 10_000);
    expect(p.due(60_000)).toEqual([]);
    expect(p.nextAt()).toBeNull();
    p.update(alert("arm-09", "resolved"), false, 0);
    expect(p.nextAt()).toBeNull();
  });

  it("groups by every label with ...", () => {
    const p = new NotificationPlanner({ ...byName, groupBy: ["..."], groupWaitMs: 0 });
    p.update(alert("arm-01", "firing"), false, 0);
    expect(p.due(0)[0]!.groupKey).toBe('{}:{alertname="Hot motor", device="arm-01", severity="major"}');
  });
});

describe("NotificationPlanner and silences", () => {
  it("does not send a silenced alert, and sends it once the silence ends", () => {
    const p = new NotificationPlanner();
    p.update(alert("arm-01", "firing"), true, 0);
    expect(p.due(0)).toEqual([]);
    expect(p.nextAt()).toBeNull();
    p.update(alert("arm-01", "firing"), false, 50_000);
    expect(p.due(50_000).map(devices)).toEqual([["arm-01:firing"]]);
  });

  it("still tells the resolve of an alert it sent as firing, silenced meanwhile or not", () => {
    const p = new NotificationPlanner();
    p.update(alert("arm-01", "firing"), false, 0);
    p.due(0);
    p.update(alert("arm-01", "firing"), true, 1000);
    expect(p.due(4 * 3600_000)).toEqual([]); // no repeat while silenced
    p.update(alert("arm-01", "resolved"), true, 5 * 3600_000);
    expect(p.due(5 * 3600_000).map(devices)).toEqual([["arm-01:resolved"]]);
  });
});

describe("NotificationPlanner snapshot", () => {
  it("restores what was sent, so a restart sends nothing twice", () => {
    const p = new NotificationPlanner();
    p.update(alert("arm-01", "firing"), false, 0);
    p.due(0);
    const q = new NotificationPlanner();
    expect(q.restore(JSON.parse(JSON.stringify(p.snapshot())))).toBe(true);
    q.update(alert("arm-01", "firing"), false, 1000); // the restored evaluator's firing alert, fed again
    expect(q.due(1000)).toEqual([]);
    q.update(alert("arm-01", "resolved"), false, 2000);
    expect(q.due(30_000).map(devices)).toEqual([["arm-01:resolved"]]);
  });

  it("refuses what is not its snapshot", () => {
    const q = new NotificationPlanner();
    expect(q.restore({ groups: { x: { labels: 1 } } })).toBe(false);
    expect(q.restore(null)).toBe(false);
  });
});
