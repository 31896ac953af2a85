/**
 * Silences, as Alertmanager has them: label matchers (=, !=, =~, !~) that must all match, a time
 * window, who made it and why. They match an alert's labels (lib/alerts/labels.ts): the rule's
 * own, its name (alertname), device, severity, group, convention. A label the alert lacks reads
 * as "", as in Alertmanager, and regular expressions are anchored at both ends. A silenced alert
 * still changes state and is still shown; it is only not notified. Pure.
 */
import { z } from "zod";
import type { Labels } from "./labels";

export const MAX_MATCHERS = 32;
/** Operators write regular expressions by hand; a long one is a mistake, and dear to run per alert. */
export const MAX_MATCHER_VALUE = 1000;

export const MATCH_OPS = ["=", "!=", "=~", "!~"] as const;
export type MatchOp = (typeof MATCH_OPS)[number];

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

const matcherSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a label name: letters, digits and _, not starting with a digit"),
    op: z.enum(MATCH_OPS, { error: `must be one of ${MATCH_OPS.join(" ")}` }),
    value: z.string().max(MAX_MATCHER_VALUE, `must be at most ${MAX_MATCHER_VALUE} characters`),
  })
  .superRefine((m, ctx) => {
    if (m.op !== "=~" && m.op !== "!~") return;
    try {
      new RegExp(anchored(m.value));
    } catch (e) {
      ctx.addIssue({ code: "custom", path: ["value"], message: `is not a regular expression: ${(e as Error).message}` });
    }
  });

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);
const epochMs = z.number().int("must be epoch milliseconds").min(0, "must be epoch milliseconds");

/** POST /api/silences: `startsAt` defaults to the time it is received. */
export const silenceBodySchema = z
  .strictObject({
    matchers: z.array(matcherSchema).min(1, "must have at least one matcher").max(MAX_MATCHERS, `must have at most ${MAX_MATCHERS} matchers`),
    startsAt: epochMs.optional(),
    endsAt: epochMs,
    createdBy: text(100),
    comment: text(2000),
  })
  .superRefine((s, ctx) => {
    if (s.startsAt !== undefined && s.endsAt <= s.startsAt) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be after startsAt" });
    // As Alertmanager refuses: a silence whose every matcher matches "" would silence every alert lacking those labels.
    if (s.matchers.length > 0 && s.matchers.every(matchesEmpty)) ctx.addIssue({ code: "custom", path: ["matchers"], message: "must have at least one matcher that does not match the empty string: this one would silence every alert" });
  });

export type SilenceBody = z.output<typeof silenceBodySchema>;

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

export const isActive = (s: Silence, now: number) => s.startsAt <= now && now < s.endsAt;

/** The ids of the silences that silence an alert with these labels at `now`. */
export function silencedBy(alert: { labels: Labels }, silences: readonly Silence[], now: number): string[] {
  return silences.filter((s) => isActive(s, now) && s.matchers.every((m) => matches(m, alert.labels[m.name] ?? ""))).map((s) => s.id);
}

export function isSilenced(alert: { labels: Labels }, silences: readonly Silence[], now: number): boolean {
  return silencedBy(alert, silences, now).length > 0;
}

export function matches(m: Matcher, value: string): boolean {
  switch (m.op) {
    case "=":
      return value === m.value;
    case "!=":
      return value !== m.value;
    case "=~":
      return regex(m.value).test(value);
    case "!~":
      return !regex(m.value).test(value);
  }
}

function matchesEmpty(m: Matcher): boolean {
  try {
    return matches(m, "");
  } catch {
    return false; // an invalid expression, already reported on its matcher
  }
}

const anchored = (re: string) => `^(?:${re})$`;

/** Compiled once per text: silences are checked for every notification. Bounded, as texts come from operators. */
const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 1000;

function regex(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) {
    re = new RegExp(anchored(source));
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(source, re);
  }
  return re;
}
