import { describe, expect, it } from "vitest";
import type { Transition } from "../alerts/state";
import { asDeviceId } from "../devices/model";
import { Episodes } from "./episodes";

const t = (from: Transition["from"], to: Transition["to"], at: number, value: number | null = 85): Transition => ({ rule: "hot", device: asDeviceId("arm-01"), from, to, at, reason: "", value });

describe("episodes", () => {
  it("open one at the first transition out of normal or resolved, keep it to the end, and open a new one after", () => {
    const e = new Episodes();
    const first = e.of(t("normal", "pending", 1), "major");
    expect(first).toMatchObject({ fresh: true, episode: { startedAt: 1, severity: "major" } });
    expect(e.dirty).toBe(true);
    e.dirty = false;
    expect(e.of(t("pending", "firing", 2), "critical")).toEqual({ fresh: false, episode: first.episode });
    expect(e.of(t("firing", "resolved", 3), "major").episode).toBe(first.episode);
    expect(e.dirty).toBe(false);
    const second = e.of(t("resolved", "firing", 9), undefined);
    expect(second.fresh).toBe(true);
    expect(second.episode.id).not.toBe(first.episode.id);
    // The rule gone: the severity it had.
    expect(second.episode.severity).toBe("major");
  });

  it("store an episode ended at its last transition, keeping an ack the store has once it ends", () => {
    const e = new Episodes();
    const { episode } = e.of(t("normal", "firing", 5), "minor");
    expect(e.record(episode.id, null, t("firing", "resolved", 8, 60), 10, '{"by":"otto"}')).toEqual({
      id: episode.id, rule: "hot", device: "arm-01", state: "resolved", severity: "minor", startedAt: 5, endedAt: 8, lastValue: "60", ack: '{"by":"otto"}', updatedAt: 10,
    });
    expect(e.record(episode.id, null, t("normal", "firing", 5), 10)).toMatchObject({ state: "firing", endedAt: null, lastValue: "85", ack: null });
  });

  it("snapshot the (rule, device)s still live, and restore from it", () => {
    const e = new Episodes();
    const { episode } = e.of(t("normal", "firing", 5), "minor");
    e.of({ ...t("normal", "firing", 6), device: asDeviceId("arm-02") }, "minor");
    const snap = e.snapshot((_rule, device) => device === "arm-01");
    const back = new Episodes();
    back.restore(JSON.parse(snap));
    expect(back.get("hot", "arm-01")).toEqual(episode);
    expect(back.get("hot", "arm-02")).toBeUndefined();
    back.restore("not a snapshot");
    expect(back.get("hot", "arm-01")).toBeUndefined();
  });
});
