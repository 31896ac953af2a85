import { expect, it } from "vitest";
import type { AlertItem } from "../alerts/alert-list";
import type { AlertStatus } from "../alerts/state";
import { firingAt, stateAt } from "./alerts-at";

const step = (from: AlertStatus, to: AlertStatus, at: number) => ({ from, to, at, reason: "", value: null });
const alert = (startedAt: number, endedAt: number | null, state: AlertStatus, transitions?: AlertItem["transitions"]): AlertItem => ({
  id: `a${startedAt}`, rule: "r", ruleName: "hot", device: "arm-01", state, severity: "critical", startedAt, endedAt, value: null, ack: null, silenced: false, transitions,
});

// pending at 100, firing at 200, no data at 300, resolved at 400.
const episode = alert(100, 400, "resolved", [step("firing_no_data", "resolved", 400), step("firing", "firing_no_data", 300), step("pending", "firing", 200), step("normal", "pending", 100)]);

it("reads an episode's state at a moment from its transitions, and nothing outside the episode", () => {
  expect([50, 100, 250, 300, 399, 400].map((t) => stateAt(episode, t))).toEqual([null, "pending", "firing", "firing_no_data", "firing_no_data", null]);
});

it("takes the state before the earliest listed transition when the moment is older than them all", () => {
  const cut = alert(100, null, "firing_no_data", [step("firing", "firing_no_data", 300)]);
  expect(stateAt(cut, 250)).toBe("firing");
  expect(stateAt(alert(100, null, "firing"), 150)).toBe("firing");
});

it("counts the alerts firing, with or without data, at the moment: pending and resolved ones are not", () => {
  const other = alert(220, null, "firing", [step("pending", "firing", 260), step("normal", "pending", 220)]);
  expect(firingAt([episode, other], 250)).toBe(1);
  expect(firingAt([episode, other], 350)).toBe(2);
  expect(firingAt([episode, other], 450)).toBe(1);
  expect(firingAt([episode, other], 150)).toBe(0);
});
