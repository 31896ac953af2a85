/**
 * Alert rules: the body of POST /api/alert-rules and the stored rule (the same with its id).
 * One flat object per kind, as the API documents it; each kind takes only its own keys, so a
 * typo ("treshold") is an error that names it, not a silent default. Durations take milliseconds or "10s"/"5m" (lib/alerts/duration.ts). Pure.
 *
 * The selector is `devices`, `group`, `convention` and `topic` (an MQTT filter); each one given
 * must match, none given selects every device (lib/alerts/selector.ts).
 */
import { z } from "zod";
import { validateTopicFilter } from "../mqtt/topic";
import { numericValue, type Band } from "./compare";
import { durationMs } from "./duration";

export const SEVERITIES = ["critical", "major", "minor", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const RULE_KINDS = ["threshold", "rate", "no_data", "offline", "loss", "qos_stuck", "command_failed"] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const MAX_RULE_DEVICES = 1000;
export const MAX_NAME_LENGTH = 100;
export const MAX_LABELS = 32;
export const MAX_LABEL_VALUE = 1024;
export const MAX_ANNOTATION_VALUE = 4096;
/** Count rules (qos_stuck, command_failed) remember at most this many events per device. */
export const MAX_COUNT_THRESHOLD = 1000;

/** How long a value may be silent before a firing alert on it becomes "firing, no data". */
export const DEFAULT_NO_DATA_MS = 5 * 60_000;
export const DEFAULT_RATE_WINDOW_MS = 60_000;
export const DEFAULT_COUNT_WINDOW_MS = 5 * 60_000;

/** Labels the evaluator sets on every alert (lib/alerts/labels.ts): a rule may not override them. */
export const RESERVED_LABELS = ["alertname", "rule", "device", "severity", "kind", "field", "group", "convention"] as const;
/** Prometheus' label name syntax, so an Alertmanager receiver takes them as they are. */
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

/** A number as telemetry reads one: 30, 30.0, "30" and 3e1 are all 30; true, "abc" and NaN are not. */
const number = z.union([z.number(), z.string()], { error: "must be a number" }).transform((v, ctx) => {
  const n = numericValue(v);
  if (n !== null) return n;
  ctx.addIssue({ code: "custom", message: `must be a finite number, not ${JSON.stringify(v)}` });
  return z.NEVER;
});

const topicFilter = z.string().superRefine((s, ctx) => {
  const check = validateTopicFilter(s);
  if (!check.ok) ctx.addIssue({ code: "custom", message: check.reason });
});

const labelMap = (max: number, reserved: boolean) =>
  z.record(z.string(), z.string().max(max, `must be at most ${max} characters`)).superRefine((m, ctx) => {
    const keys = Object.keys(m);
    if (keys.length > MAX_LABELS) ctx.addIssue({ code: "custom", message: `must have at most ${MAX_LABELS} entries` });
    for (const k of keys) {
      if (!LABEL_NAME.test(k)) ctx.addIssue({ code: "custom", path: [k], message: "a name is letters, digits and _, not starting with a digit" });
      else if (reserved && (RESERVED_LABELS as readonly string[]).includes(k)) ctx.addIssue({ code: "custom", path: [k], message: `is set by Fleetscope on every alert (${RESERVED_LABELS.join(", ")})` });
    }
  });

const common = {
  name: text(MAX_NAME_LENGTH),
  severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(", ")}` }),
  devices: z.array(text(200)).min(1, "must list at least one device, or be left out").max(MAX_RULE_DEVICES, `must list at most ${MAX_RULE_DEVICES} devices`).optional(),
  group: text(200).optional(),
  convention: text(100).optional(),
  topic: topicFilter.optional(),
  keepFiringForMs: durationMs.default(0),
  labels: labelMap(MAX_LABEL_VALUE, true).default({}),
  annotations: labelMap(MAX_ANNOTATION_VALUE, false).default({}),
};

const op = z.enum(["above", "below"], { error: 'must be "above" or "below"' });
const field = text(200);
const count = z.number().int("must be a whole number").min(1, "must be at least 1").max(MAX_COUNT_THRESHOLD, `must be at most ${MAX_COUNT_THRESHOLD}`);
const outcomes = <T extends string>(all: readonly [T, ...T[]], fallback: T[]) =>
  z.array(z.enum(all, { error: `must be one of ${all.join(", ")}` })).min(1, "must name at least one outcome").default(fallback);

/**
 * For "above" the clear value lies at or below the threshold; for "below", at or above. Takes
 * `unknown` because zod cannot name a variant's output type inside the generic ruleUnion; every
 * variant it refines has these three keys.
 */
function clearOnItsSide(parsed: unknown, ctx: z.RefinementCtx) {
  const r = parsed as { op?: "above" | "below"; value: number; clear?: number };
  if (r.clear === undefined) return;
  const direction = r.op ?? "above";
  if (direction === "above" ? r.clear > r.value : r.clear < r.value) {
    ctx.addIssue({ code: "custom", path: ["clear"], message: `for "${direction}" it must be at ${direction === "above" ? "or below" : "or above"} value (${r.value}): it is where the alert ends` });
  }
}

function ruleUnion<X extends z.ZodRawShape>(extra: X) {
  const base = { ...extra, ...common };
  return z.discriminatedUnion(
    "kind",
    [
      z.strictObject({ ...base, kind: z.literal("threshold"), field, op, value: number, clear: number.optional(), forMs: durationMs.default(0), noDataMs: durationMs.default(DEFAULT_NO_DATA_MS) }).superRefine(clearOnItsSide),
      /** `value` is change per second over `windowMs`: robust when samples do not span the whole window. */
      z.strictObject({ ...base, kind: z.literal("rate"), field, op, value: number, clear: number.optional(), windowMs: durationMs.default(DEFAULT_RATE_WINDOW_MS), forMs: durationMs.default(0), noDataMs: durationMs.default(DEFAULT_NO_DATA_MS) }).superRefine(clearOnItsSide),
      /** `forMs` is the silence N; no field: any message from the device counts as data. */
      z.strictObject({ ...base, kind: z.literal("no_data"), field: field.optional(), forMs: durationMs.refine((ms) => ms > 0, "must be more than 0: it is how long a silence must last") }),
      z.strictObject({ ...base, kind: z.literal("offline"), forMs: durationMs.default(0) }),
      /** `value` and `clear` are percent of the messages `seq` says were sent in the window. */
      z.strictObject({ ...base, kind: z.literal("loss"), value: number.refine((v) => v >= 0 && v < 100, "must be a percentage from 0 to below 100"), clear: number.optional(), windowMs: durationMs.default(DEFAULT_COUNT_WINDOW_MS), forMs: durationMs.default(0), noDataMs: durationMs.default(DEFAULT_NO_DATA_MS) }).superRefine(clearOnItsSide),
      z.strictObject({ ...base, kind: z.literal("qos_stuck"), value: count.default(1), windowMs: durationMs.default(DEFAULT_COUNT_WINDOW_MS), forMs: durationMs.default(0), outcomes: outcomes(["stuck", "retransmitted"], ["stuck"]) }),
      z.strictObject({ ...base, kind: z.literal("command_failed"), value: count.default(1), windowMs: durationMs.default(DEFAULT_COUNT_WINDOW_MS), forMs: durationMs.default(0), command: text(100).optional(), outcomes: outcomes(["failed", "timed_out"], ["failed", "timed_out"]) }),
    ],
    { error: (iss) => (iss.code === "invalid_union" ? `must be one of ${RULE_KINDS.join(", ")}` : undefined) },
  );
}

/** POST /api/alert-rules: the server gives the id. */
export const ruleBodySchema = ruleUnion({});
/** A stored rule, as the evaluator takes it. */
export const alertRuleSchema = ruleUnion({ id: z.string().regex(RULE_ID, "must be 1–64 letters, digits, _ . : -, starting with a letter or digit") });

export type AlertRuleBody = z.input<typeof ruleBodySchema>;
export type AlertRule = z.output<typeof alertRuleSchema>;
export type RuleOf<K extends RuleKind> = Extract<AlertRule, { kind: K }>;
/** Kinds that compare a number against a band with hysteresis. */
export type BandRule = RuleOf<"threshold" | "rate" | "loss">;

export function bandOf(rule: BandRule): Band {
  const opOf = rule.kind === "loss" ? "above" : rule.op;
  return { op: opOf, value: rule.value, clear: rule.clear ?? rule.value };
}

/** The field a rule reads, when it reads one. */
export function fieldOf(rule: AlertRule): string | null {
  return rule.kind === "threshold" || rule.kind === "rate" || rule.kind === "no_data" ? (rule.field ?? null) : null;
}

/** How long the condition must hold before firing (no_data fires as soon as its silence is long enough). */
export const pendingMsOf = (rule: AlertRule): number => (rule.kind === "no_data" ? 0 : rule.forMs);
