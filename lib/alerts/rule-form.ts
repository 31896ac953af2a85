/**
 * The rule form's fields (all text, as inputs hold them) and the POST /api/alert-rules body they
 * make: each kind takes only the keys its schema takes (lib/alerts/rule.ts refuses any other), so
 * what the form sends is what the server validates. Numbers go as typed: the server says which
 * field is wrong and why. Pure; the form (components/alerts/RuleForm.tsx) and its test share it.
 */
import type { RuleKind } from "./rule";

export interface RuleFormFields {
  kind: RuleKind;
  name: string;
  severity: string;
  devices: string;
  group: string;
  topic: string;
  field: string;
  op: "above" | "below";
  value: string;
  clear: string;
  forS: string;
  keepFiringForS: string;
  windowS: string;
  command: string;
  outcomes: string[];
}

/** What each kind asks for, beyond name, severity, selector and keep-firing-for. */
export const KIND_FIELDS: Record<RuleKind, readonly (keyof RuleFormFields)[]> = {
  threshold: ["field", "op", "value", "clear", "forS"],
  rate: ["field", "op", "value", "clear", "windowS", "forS"],
  no_data: ["field", "forS"],
  offline: ["forS"],
  loss: ["value", "clear", "windowS", "forS"],
  qos_stuck: ["value", "windowS", "forS", "outcomes"],
  command_failed: ["value", "command", "windowS", "forS", "outcomes"],
};

export const KIND_LABELS: Record<RuleKind, string> = {
  threshold: "threshold",
  rate: "rate of change",
  no_data: "no data",
  offline: "offline",
  loss: "loss rate",
  qos_stuck: "QoS stuck / retransmitted",
  command_failed: "command failures / timeouts",
};

export const KIND_OUTCOMES: Partial<Record<RuleKind, readonly { value: string; label: string }[]>> = {
  qos_stuck: [
    { value: "stuck", label: "stuck" },
    { value: "retransmitted", label: "retransmitted (DUP)" },
  ],
  command_failed: [
    { value: "failed", label: "failed" },
    { value: "timed_out", label: "timed out" },
  ],
};

export const emptyRuleForm = (): RuleFormFields => ({
  kind: "threshold", name: "", severity: "major", devices: "", group: "", topic: "", field: "temp", op: "above",
  value: "", clear: "", forS: "10", keepFiringForS: "", windowS: "", command: "", outcomes: [],
});

const seconds = (s: string) => `${s.trim()}s`;

export function ruleBodyOf(f: RuleFormFields): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: f.kind, name: f.name.trim(), severity: f.severity };
  const devices = f.devices.split(",").map((d) => d.trim()).filter((d) => d !== "");
  if (devices.length > 0) body.devices = devices;
  if (f.group.trim()) body.group = f.group.trim();
  if (f.topic.trim()) body.topic = f.topic.trim();
  if (f.keepFiringForS.trim()) body.keepFiringForMs = seconds(f.keepFiringForS);
  const asks = new Set(KIND_FIELDS[f.kind]);
  if (asks.has("field") && f.field.trim()) body.field = f.field.trim();
  if (asks.has("op")) body.op = f.op;
  // Count kinds take a whole number; the others a decimal as typed ("80", "-3.5").
  if (asks.has("value") && f.value.trim()) body.value = f.kind === "qos_stuck" || f.kind === "command_failed" ? Number(f.value) : f.value.trim();
  if (asks.has("clear") && f.clear.trim()) body.clear = f.clear.trim();
  if (asks.has("forS") && f.forS.trim()) body.forMs = seconds(f.forS);
  if (asks.has("windowS") && f.windowS.trim()) body.windowMs = seconds(f.windowS);
  if (asks.has("command") && f.command.trim()) body.command = f.command.trim();
  if (asks.has("outcomes") && f.outcomes.length > 0) body.outcomes = f.outcomes;
  return body;
}
