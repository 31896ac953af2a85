/**
 * "Your own rules": a convention for a fleet that follows no known one, described in JSON
 * (FLEETSCOPE_CONVENTIONS=@path/rules.json, or saved from the topic page's "Make these devices").
 * Each rule compiles to one `Convention` with id `rule:<name>`.
 *
 * The file, keys in snake_case throughout (JSON Schema's own keywords inside `args` keep their
 * spelling: `additionalProperties`, `x-unit`):
 *
 *   { "rules": [ {
 *     "name": "plant-lines",                         // 1–64 of A-Z a-z 0-9 _ -, unique; the convention is rule:plant-lines
 *     "label": "Plant lines",                        // optional badge text (default "Rule plant-lines")
 *     "pattern": "plant/{site}/line/{line}/{device}/#",
 *     "id": "{site}_{line}_{device}",                // optional; default: every named wildcard, in order
 *     "group": "{site}",                             // optional; default: the rule's name
 *     "name_from": "{device}",                       // optional; default: the id's values joined by "/"
 *     "fields": [ { "topic": "telemetry", "path": "$.temp", "name": "temp", "unit": "°C" } ],
 *     "status": { "topic": "status", "path": "$.state", "online": ["online", "1"], "offline": ["offline", "0"] },
 *     "events": [ { "topic": "alarm", "kind": "alarm", "level": "warning", "level_path": "$.level", "text_path": "$.msg" } ],
 *     "commands": [ { "name": "reset", "topic": "cmd/reset", "args": { "type": "object", "properties": {} },
 *                     "payload": "{{$id}}", "qos": 1,
 *                     "confirm": { "topic": "cmd/reset/ack", "id_path": "$.id", "ok_path": "$.ok", "error_path": "$.error", "result_path": "$.result" } } ],
 *     "seq_path": "$.seq"
 *   } ] }
 *
 * - `pattern`: topic-pattern.ts. `{name}` is one captured level, `+` one level, `#` last only.
 * - `topic` in fields, status, events and confirms is a sub-topic relative to the pattern's `#`
 *   (an MQTT filter: `+` and a last `#` allowed; "" or left out: the device's base topic itself).
 *   Only patterns that end in `#` have sub-topics. Relative rather than a full pattern of its own
 *   so a part can never read another device's topics, and the captures always mean the same.
 * - `path`: json-path.ts. `$` is the whole payload: a plain `21.5` payload is a number.
 *   Measurements take numbers, numeric strings and booleans (1/0).
 * - `status`: the value (the payload, or `path` in it), trimmed, compared without case.
 * - `events`: `text_path` (default: the whole payload); `level_path`, else `level`, else
 *   "warning" for an alarm and "info" for a log.
 * - `commands[].topic` is where the request goes (below the device's base topic). The payload is
 *   `{"id": …, "args": {…}}`, or `payload`, a text template where `{{arg}}` is an argument's
 *   value as it is (not JSON-quoted: keep JSON bodies with text arguments to the default) and
 *   `{{$id}}` the command's id. `confirm` is a `reply` (the default kind: a message on its topic,
 *   failed when `ok_path` says false/"error"/0 or only `error_path` has text; a reply naming
 *   another id at `id_path` is someone else's; a non-JSON reply is a success with its text as
 *   result) or an `echo` (`"kind": "echo"`, `path`, and `value` or `value_arg`: the device's
 *   state at `path` on `topic` shows that value).
 * - Device ids: `deviceIdFrom("rule-<name>", ...values)`, or `rule-<name>.` + the `id` template,
 *   whose text may hold only A-Z a-z 0-9 _ - and whose inserted values are escaped (idEscaper) so
 *   two different captures never give one id. Wildcards left out of `id` do not tell devices apart.
 * - A device's native name (deviceAccess's argument) is its id values joined by "/": captured
 *   levels hold no "/", so it splits back.
 *
 * Pure; browser and Node alike. A rule learns nothing between messages, so its state is null.
 */
import { z } from "zod";
import type { CommandFact, Convention, DeviceFacts, Expectation, Inbound, Interpretation, Measurement } from "../convention";
import { deviceIdFrom, escapeIdPart, numberOf } from "../convention";
import type { DeviceId, DeviceStatus } from "../model";
import { NO_ARGS, argsSchemaSchema, describeArgErrors, validateArgs, type ArgsSchema } from "../command-args";
import { commandName } from "../command-args";
import { topicMatches, validateTopicFilter, validateTopicName } from "../../mqtt/topic";
import { compilePath, formatPath, parsePath, pick, type JsonPath, type PathSegment } from "./json-path";
import {
  MAX_PATTERN_LENGTH,
  MAX_TEMPLATE_LENGTH,
  WILDCARD_NAME,
  compileIdTemplate,
  compilePattern,
  compileTemplate,
  fillBase,
  idEscaper,
  isPlainLevel,
  joinTopic,
  matchPattern,
  renderTemplate,
  type PatternMatch,
  type Template,
  type TopicPattern,
} from "./topic-pattern";

export { MAX_PATTERN_LEVELS, MAX_PATTERN_LENGTH, MAX_PATTERN_NAMES, MAX_TEMPLATE_LENGTH } from "./topic-pattern";
export { MAX_PATH_LENGTH, MAX_PATH_SEGMENTS } from "./json-path";

/** Rules in one file: each is a convention every message is offered to. */
export const MAX_RULES = 32;
export const MAX_FIELDS_PER_RULE = 64;
export const MAX_EVENTS_PER_RULE = 16;
export const MAX_COMMANDS_PER_RULE = 32;
/** Words in a status's `online` or `offline` list. */
export const MAX_STATUS_VALUES = 16;
export const MAX_NAME_LENGTH = 64;
export const MAX_UNIT_LENGTH = 20;
export const MAX_LABEL_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 500;
export const MAX_PAYLOAD_TEMPLATE_LENGTH = 1024;
/** An event's text, and a reply's text result, are cut here. */
export const MAX_EVENT_TEXT = 2000;
/** previewRule reads at most this many messages, shows at most this many devices and problems. */
export const MAX_PREVIEW_MESSAGES = 5000;
export const MAX_PREVIEW_DEVICES = 500;
export const MAX_PREVIEW_PROBLEMS = 50;

// ---------------------------------------------------------------------------------------------
// Schema

const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Measurement names: as the demo fleet's flattened keys (`motor.current`). */
const FIELD_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/;

/** Adds `problem` as the value's issue when there is one: zod then names the key it is at. */
const refuseWith =
  (check: (s: string) => string | null) =>
  (s: string, ctx: z.RefinementCtx) => {
    const problem = check(s);
    if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
  };

function pathProblem(s: string): string | null {
  const r = parsePath(s);
  return r.ok ? null : r.error;
}

function subTopicCommon(s: string): string | null {
  if (s.startsWith("/")) return `must not start with "/": it is relative to the pattern's "#"`;
  if (/[{}]/.test(s)) return `takes no named wildcards: "{…}" belong in the pattern`;
  return null;
}

/** A sub-topic a part reads: a filter relative to the pattern's `#`, or "" for the base topic. */
function readTopicProblem(s: string): string | null {
  if (s === "") return null;
  const common = subTopicCommon(s);
  if (common) return common;
  const check = validateTopicFilter(s);
  return check.ok ? null : check.reason;
}

/** A sub-topic a command publishes to: a topic name, never the base itself. */
function sendTopicProblem(s: string): string | null {
  if (s === "") return "must not be empty: a command is sent below the device's topic, not on it";
  const common = subTopicCommon(s);
  if (common) return common;
  const check = validateTopicName(s);
  return check.ok ? null : check.reason;
}

const jsonPath = z.string().max(1000).superRefine(refuseWith(pathProblem));
const readTopic = z.string().max(MAX_PATTERN_LENGTH, `must be at most ${MAX_PATTERN_LENGTH} characters`).superRefine(refuseWith(readTopicProblem));
const sendTopic = z.string().max(MAX_PATTERN_LENGTH, `must be at most ${MAX_PATTERN_LENGTH} characters`).superRefine(refuseWith(sendTopicProblem));
const template = z.string().max(MAX_TEMPLATE_LENGTH, `must be at most ${MAX_TEMPLATE_LENGTH} characters`);
const statusWords = z
  .array(z.string().max(MAX_NAME_LENGTH).refine((w) => w.trim() !== "", "must not be blank"))
  .min(1, "must list at least one value")
  .max(MAX_STATUS_VALUES, `must list at most ${MAX_STATUS_VALUES} values (MAX_STATUS_VALUES)`);

const fieldSchema = z.strictObject({
  topic: readTopic.optional(),
  path: jsonPath,
  name: z
    .string()
    .regex(FIELD_NAME, `must be 1–64 letters, digits, "_", ".", ":" or "-", not starting with "." ":" or "-"`)
    .refine((n) => n !== "__proto__", "must not be __proto__"),
  unit: z.string().max(MAX_UNIT_LENGTH, `must be at most ${MAX_UNIT_LENGTH} characters`).optional(),
});

const statusSchema = z.strictObject({
  topic: readTopic.optional(),
  path: jsonPath.optional(),
  online: statusWords,
  offline: statusWords,
});

const eventSchema = z.strictObject({
  topic: readTopic.optional(),
  kind: z.enum(["alarm", "log"]),
  level: z.string().min(1).max(32).optional(),
  level_path: jsonPath.optional(),
  text_path: jsonPath.optional(),
});

/** One object for both kinds, checked together in compileRule: a union's errors name no key. */
const confirmSchema = z.strictObject({
  kind: z.enum(["reply", "echo"]).optional(),
  topic: sendTopic,
  id_path: jsonPath.optional(),
  ok_path: jsonPath.optional(),
  error_path: jsonPath.optional(),
  result_path: jsonPath.optional(),
  path: jsonPath.optional(),
  value: z.union([z.string().max(MAX_NAME_LENGTH), z.number(), z.boolean()]).optional(),
  value_arg: z.string().optional(),
});

const commandSchema = z.strictObject({
  name: commandName,
  description: z.string().max(MAX_DESCRIPTION_LENGTH).optional(),
  topic: sendTopic,
  args: argsSchemaSchema.optional(),
  payload: z.string().max(MAX_PAYLOAD_TEMPLATE_LENGTH, `must be at most ${MAX_PAYLOAD_TEMPLATE_LENGTH} characters`).optional(),
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  confirm: confirmSchema,
});

/** A rule's name: also what a saved rule's URL carries. */
export const ruleNameSchema = z.string().regex(RULE_NAME, `must be 1–${MAX_NAME_LENGTH} letters, digits, "_" or "-", starting with a letter or digit`);

export const ruleSchema = z.strictObject({
  name: ruleNameSchema,
  label: z.string().min(1).max(MAX_LABEL_LENGTH).optional(),
  pattern: z.string().superRefine(
    refuseWith((s) => {
      const r = compilePattern(s);
      return r.ok ? null : r.error;
    }),
  ),
  id: template.optional(),
  group: template.optional(),
  name_from: template.optional(),
  fields: z.array(fieldSchema).max(MAX_FIELDS_PER_RULE, `at most ${MAX_FIELDS_PER_RULE} fields per rule (MAX_FIELDS_PER_RULE)`).optional(),
  status: statusSchema.optional(),
  events: z.array(eventSchema).max(MAX_EVENTS_PER_RULE, `at most ${MAX_EVENTS_PER_RULE} events per rule (MAX_EVENTS_PER_RULE)`).optional(),
  commands: z.array(commandSchema).max(MAX_COMMANDS_PER_RULE, `at most ${MAX_COMMANDS_PER_RULE} commands per rule (MAX_COMMANDS_PER_RULE)`).optional(),
  seq_path: jsonPath.optional(),
});

export type Rule = z.output<typeof ruleSchema>;
export type RuleField = NonNullable<Rule["fields"]>[number];
export type RuleCommand = NonNullable<Rule["commands"]>[number];

/** A rule remembers nothing between messages: each is read on its own. */
export type RuleState = null;

// ---------------------------------------------------------------------------------------------
// Errors that name the rule and the key

/** `fields[1].path`, `commands[0].args.properties["max speed"]`. */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const k of path) {
    if (typeof k === "number") out += `[${k}]`;
    else if (typeof k === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) out += out === "" ? k : `.${k}`;
    else out += `[${JSON.stringify(String(k))}]`;
  }
  return out;
}

const at = (path: readonly PropertyKey[], message: string) => (path.length ? `${keyPath(path)}: ${message}` : message);

/** The rule's name when it is a valid one, before the rest is checked. */
function rawName(raw: unknown): string | null {
  const name = raw !== null && typeof raw === "object" && Object.hasOwn(raw, "name") ? (raw as { name: unknown }).name : undefined;
  return typeof name === "string" && RULE_NAME.test(name) ? name : null;
}

/** `rule "plant-lines"`, or `rules[3]` when it has no usable name to go by. */
function ruleLabel(raw: unknown, index: number): string {
  const name = rawName(raw);
  return name !== null ? `rule "${name}"` : `rules[${index}]`;
}

const fileSchema = z.strictObject({
  rules: z.array(z.unknown()).max(MAX_RULES, `must list at most ${MAX_RULES} rules (MAX_RULES)`),
});

export type ParseResult = { ok: true; rules: Rule[] } | { ok: false; errors: string[] };

/** A rules file (its parsed JSON), checked whole: every error, each naming its rule and key. */
export function parseRules(json: unknown): ParseResult {
  const file = fileSchema.safeParse(json);
  if (!file.success) return { ok: false, errors: file.error.issues.map((i) => at(i.path, i.message)) };
  const errors: string[] = [];
  const rules: Rule[] = [];
  const names = new Map<string, number>();
  file.data.rules.forEach((raw, i) => {
    const label = ruleLabel(raw, i);
    // Checked on the raw name, so a repeat is said even while the rule has other errors.
    const name = rawName(raw);
    const first = name === null ? undefined : names.get(name);
    if (first !== undefined) errors.push(`${label}: name: rules[${first}] already has this name`);
    else if (name !== null) names.set(name, i);
    const parsed = ruleSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push(`${label}: ${at(issue.path, issue.message)}`);
      return;
    }
    const compiled = compileRule(parsed.data);
    if (!compiled.ok) for (const e of compiled.errors) errors.push(`${label}: ${e}`);
    rules.push(parsed.data);
  });
  return errors.length ? { ok: false, errors } : { ok: true, rules };
}

// ---------------------------------------------------------------------------------------------
// Compiling a rule

interface ReadPart {
  /** The full MQTT filter of the part's topics: the pattern's base and the sub-topic. */
  filter: string;
  sub: string;
}

interface CompiledField extends ReadPart {
  name: string;
  unit?: string;
  path: JsonPath;
  /** `fields[0] "temp"`, for problems. */
  label: string;
}

interface CompiledStatus extends ReadPart {
  path: JsonPath | null;
  online: ReadonlySet<string>;
  offline: ReadonlySet<string>;
}

interface CompiledEvent extends ReadPart {
  kind: "alarm" | "log";
  level: string;
  levelPath: JsonPath | null;
  textPath: JsonPath | null;
}

type CompiledConfirm =
  | (ReadPart & { kind: "reply"; idPath: JsonPath; okPath: JsonPath; errorPath: JsonPath; resultPath: JsonPath })
  | (ReadPart & { kind: "echo"; path: JsonPath; value?: string | number | boolean; valueArg?: string });

interface CompiledCommand {
  name: string;
  description?: string;
  sub: string;
  /** The full filter of its requests, so that reading them back does not count as the device speaking. */
  filter: string;
  args: ArgsSchema;
  payload: PayloadPart[] | null;
  qos: 0 | 1 | 2;
  confirm: CompiledConfirm;
}

type PayloadPart = { kind: "text"; text: string } | { kind: "arg"; name: string } | { kind: "id" };

export interface CompiledRule {
  rule: Rule;
  id: `rule:${string}`;
  pattern: TopicPattern;
  idTemplate: Template | null;
  escapeId: (v: string) => string;
  /** The wildcards that tell devices apart, in the order the id uses them. */
  idNames: readonly string[];
  nameTemplate: Template | null;
  groupTemplate: Template | null;
  fields: CompiledField[];
  status: CompiledStatus | null;
  events: CompiledEvent[];
  commands: CompiledCommand[];
  seqPath: JsonPath | null;
}

/** Collects errors with their key paths while compiling; returns a placeholder on failure. */
class Problems {
  readonly errors: string[] = [];
  add(path: readonly PropertyKey[], message: string): void {
    this.errors.push(at(path, message));
  }
  path(source: string, key: readonly PropertyKey[]): JsonPath {
    const r = compilePath(source);
    if (r.ok) return r.path;
    this.add(key, r.error);
    return ROOT;
  }
}

/** A path written here, in the source: known good. */
function builtIn(source: string): JsonPath {
  const r = compilePath(source);
  if (!r.ok) throw new Error(`unreachable: ${source}: ${r.error}`);
  return r.path;
}

const ROOT = builtIn("$");

/** The demo fleet's reply shape, `{id, ok, result|error}` (lib/commands/replies.ts), as the default. */
const DEFAULT_REPLY = { id_path: "$.id", ok_path: "$.ok", error_path: "$.error", result_path: "$.result" } as const;
const DEFAULT_REPLY_PATHS = { idPath: builtIn(DEFAULT_REPLY.id_path), okPath: builtIn(DEFAULT_REPLY.ok_path), errorPath: builtIn(DEFAULT_REPLY.error_path), resultPath: builtIn(DEFAULT_REPLY.result_path) };

function readPart(p: TopicPattern, sub: string | undefined, key: readonly PropertyKey[], problems: Problems): ReadPart {
  const s = sub ?? "";
  const problem = readTopicProblem(s);
  if (problem) problems.add(key, problem);
  else if (s !== "" && !p.tail) problems.add(key, `the pattern has no "#" for "${s}" to follow`);
  return { sub: s, filter: joinTopic(p.base, s) };
}

function compileTemplateAt(source: string | undefined, p: TopicPattern, key: string, problems: Problems, forId = false): Template | null {
  if (source === undefined) return null;
  const r = forId ? compileIdTemplate(source, p.names) : compileTemplate(source, p.names);
  if (r.ok) return r.template;
  problems.add([key], r.error);
  return null;
}

function compilePayload(source: string | undefined, args: ArgsSchema, key: readonly PropertyKey[], problems: Problems): PayloadPart[] | null {
  if (source === undefined) return null;
  const parts: PayloadPart[] = [];
  const re = /\{\{([^{}]*)\}\}/g;
  let last = 0;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) {
    if (m.index > last) parts.push({ kind: "text", text: source.slice(last, m.index) });
    const name = m[1]!;
    if (name === "$id") parts.push({ kind: "id" });
    else if (Object.hasOwn(args.properties, name)) parts.push({ kind: "arg", name });
    else problems.add(key, `{{${name}}} is neither an argument of the command nor {{$id}}`);
    last = m.index + m[0].length;
  }
  if (last < source.length) parts.push({ kind: "text", text: source.slice(last) });
  return parts;
}

function compileConfirm(c: RuleCommand, p: TopicPattern, args: ArgsSchema, key: readonly PropertyKey[], problems: Problems): CompiledConfirm {
  const k = c.confirm;
  const sub = k.topic;
  const part: ReadPart = { sub, filter: joinTopic(p.base, sub) };
  if (sub === c.topic) problems.add([...key, "topic"], "must differ from the command's own topic, or every request would confirm itself");
  if ((k.kind ?? "reply") === "reply") {
    for (const extra of ["path", "value", "value_arg"] as const) if (k[extra] !== undefined) problems.add([...key, extra], `belongs to "kind": "echo"`);
    return {
      ...part,
      kind: "reply",
      idPath: problems.path(k.id_path ?? DEFAULT_REPLY.id_path, [...key, "id_path"]),
      okPath: problems.path(k.ok_path ?? DEFAULT_REPLY.ok_path, [...key, "ok_path"]),
      errorPath: problems.path(k.error_path ?? DEFAULT_REPLY.error_path, [...key, "error_path"]),
      resultPath: problems.path(k.result_path ?? DEFAULT_REPLY.result_path, [...key, "result_path"]),
    };
  }
  for (const extra of ["id_path", "ok_path", "error_path", "result_path"] as const) if (k[extra] !== undefined) problems.add([...key, extra], `belongs to "kind": "reply"`);
  if (k.path === undefined) problems.add([...key, "path"], "an echo needs the path where the device's state shows the value");
  if ((k.value === undefined) === (k.value_arg === undefined)) problems.add([...key], `an echo needs exactly one of "value" and "value_arg"`);
  if (k.value_arg !== undefined && !Object.hasOwn(args.properties, k.value_arg)) problems.add([...key, "value_arg"], `"${k.value_arg}" is not an argument of the command`);
  return { ...part, kind: "echo", path: problems.path(k.path ?? "$", [...key, "path"]), value: k.value, valueArg: k.value_arg };
}

function compileCommand(c: RuleCommand, i: number, p: TopicPattern, problems: Problems): CompiledCommand {
  const key = ["commands", i] as const;
  if (!p.tail) problems.add([...key, "topic"], `the pattern has no "#" for "${c.topic}" to follow`);
  const args = c.args ?? NO_ARGS;
  return {
    name: c.name,
    description: c.description,
    sub: c.topic,
    filter: joinTopic(p.base, c.topic),
    args,
    payload: compilePayload(c.payload, args, [...key, "payload"], problems),
    qos: c.qos ?? 1,
    confirm: compileConfirm(c, p, args, [...key, "confirm"], problems),
  };
}

/** Names must be unique within a list: measurements and commands are keyed by them. */
function checkUnique(names: readonly string[], list: string, problems: Problems): void {
  const seen = new Map<string, number>();
  names.forEach((n, i) => {
    const first = seen.get(n);
    if (first !== undefined) problems.add([list, i, "name"], `"${n}" is already ${list}[${first}]'s name`);
    else seen.set(n, i);
  });
}

function compileFields(rule: Rule, p: TopicPattern, problems: Problems): CompiledField[] {
  const fields = rule.fields ?? [];
  checkUnique(
    fields.map((f) => f.name),
    "fields",
    problems,
  );
  return fields.map((f, i) => ({
    ...readPart(p, f.topic, ["fields", i, "topic"], problems),
    name: f.name,
    unit: f.unit,
    path: problems.path(f.path, ["fields", i, "path"]),
    label: `fields[${i}] "${f.name}"`,
  }));
}

function compileStatus(rule: Rule, p: TopicPattern, problems: Problems): CompiledStatus | null {
  const s = rule.status;
  if (!s) return null;
  const lower = (words: string[]) => new Set(words.map((w) => w.trim().toLowerCase()));
  const online = lower(s.online);
  const offline = lower(s.offline);
  for (const w of online) if (offline.has(w)) problems.add(["status", "offline"], `"${w}" is also an online value`);
  return { ...readPart(p, s.topic, ["status", "topic"], problems), path: s.path === undefined ? null : problems.path(s.path, ["status", "path"]), online, offline };
}

function compileEvents(rule: Rule, p: TopicPattern, problems: Problems): CompiledEvent[] {
  return (rule.events ?? []).map((e, i) => ({
    ...readPart(p, e.topic, ["events", i, "topic"], problems),
    kind: e.kind,
    level: e.level ?? (e.kind === "alarm" ? "warning" : "info"),
    levelPath: e.level_path === undefined ? null : problems.path(e.level_path, ["events", i, "level_path"]),
    textPath: e.text_path === undefined ? null : problems.path(e.text_path, ["events", i, "text_path"]),
  }));
}

export type CompileResult = { ok: true; compiled: CompiledRule } | { ok: false; errors: string[] };

/**
 * A rule ready to read messages, or what is wrong with it (key paths without the rule's name).
 * parseRules runs it after the schema, for the checks that span keys; ruleConvention runs it
 * again, since a Rule may be built by hand (suggestRule, the UI's editor).
 */
export function compileRule(rule: Rule): CompileResult {
  const problems = new Problems();
  const pr = compilePattern(rule.pattern);
  if (!pr.ok) return { ok: false, errors: [at(["pattern"], pr.error)] };
  const p = pr.pattern;
  const idTemplate = compileTemplateAt(rule.id, p, "id", problems, true);
  const commands = (rule.commands ?? []).map((c, i) => compileCommand(c, i, p, problems));
  checkUnique(
    commands.map((c) => c.name),
    "commands",
    problems,
  );
  const compiled: CompiledRule = {
    rule,
    id: `rule:${rule.name}`,
    pattern: p,
    idTemplate,
    escapeId: idTemplate ? idEscaper(idTemplate) : escapeIdPart,
    idNames: idTemplate ? idTemplate.names : p.names,
    nameTemplate: compileTemplateAt(rule.name_from, p, "name_from", problems),
    groupTemplate: compileTemplateAt(rule.group, p, "group", problems),
    fields: compileFields(rule, p, problems),
    status: compileStatus(rule, p, problems),
    events: compileEvents(rule, p, problems),
    commands,
    seqPath: rule.seq_path === undefined ? null : problems.path(rule.seq_path, ["seq_path"]),
  };
  return problems.errors.length ? { ok: false, errors: problems.errors } : { ok: true, compiled };
}

// ---------------------------------------------------------------------------------------------
// Reading a message

/** The id values joined by "/" (levels hold no "/", so it splits back): deviceAccess's name. */
function nativeName(c: CompiledRule, captures: ReadonlyMap<string, string>): string {
  return c.idNames.map((n) => captures.get(n) ?? "").join("/");
}

function deviceIdOf(c: CompiledRule, captures: ReadonlyMap<string, string>): DeviceId {
  const prefix = `rule-${c.rule.name}`;
  if (!c.idTemplate) return deviceIdFrom(prefix, ...c.idNames.map((n) => captures.get(n) ?? ""));
  // The prefix keeps ids unique across rules and conventions; "." never occurs in a rendered
  // id template (its text is A-Z a-z 0-9 _ -, its values escaped), so the two parts split cleanly.
  return `${escapeIdPart(prefix)}.${renderTemplate(c.idTemplate, captures, c.escapeId)}` as DeviceId;
}

/**
 * The payload as a value paths can read: JSON when it parses, else the trimmed text itself, so
 * `$` of `online` is "online" and `$` of `21.5` is 21.5.
 */
export function payloadValue(text: string): unknown {
  const t = text.trim();
  if (!/^[{["0-9-]/.test(t) && t !== "true" && t !== "false" && t !== "null") return t; // skip the exception path
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return t;
  }
}

/** A measurement's number: numbers, numeric strings ("21.5"), booleans as 1/0. */
export function measurementOf(v: unknown): number | null {
  if (typeof v === "boolean") return v ? 1 : 0;
  return numberOf(v);
}

/** A short, quoted rendering of a device's value for a problem message. */
function shown(v: unknown): string {
  const s = v === null ? "null" : typeof v === "object" ? (Array.isArray(v) ? "a list" : "an object") : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

const clip = (s: string) => (s.length > MAX_EVENT_TEXT ? `${s.slice(0, MAX_EVENT_TEXT)}…` : s);

/** A scalar as status or level text; null for anything else. */
const scalarText = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : null);

export interface Reading {
  out: Interpretation;
  /** Everything the rule could not make sense of in this message (previewRule shows them all). */
  notes: string[];
}

/** Reads one message's parts into `facts`; returns how many things it understood. */
function readParts(c: CompiledRule, msg: Inbound, value: unknown, facts: DeviceFacts, notes: string[]): number {
  const rn = `rule ${c.rule.name}`;
  let understood = 0;
  for (const f of c.fields) {
    if (!topicMatches(f.filter, msg.topic)) continue;
    const v = f.path.get(value);
    const n = measurementOf(v);
    if (n === null) {
      notes.push(`${rn}: ${f.label}: ${f.path.source} ${v === undefined ? "is missing" : `is ${shown(v)}, not a number`}`);
      continue;
    }
    const m: Measurement = { value: n, topic: msg.topic };
    if (f.unit !== undefined) m.unit = f.unit;
    (facts.measurements ??= {})[f.name] = m;
    understood++;
  }
  const s = c.status;
  if (s && topicMatches(s.filter, msg.topic)) {
    const raw = s.path ? s.path.get(value) : value;
    const word = scalarText(raw)?.trim() ?? null;
    const w = word?.toLowerCase() ?? "";
    const status: DeviceStatus | null = s.online.has(w) ? "online" : s.offline.has(w) ? "offline" : null;
    if (status) {
      facts.liveness = { status, reason: `${rn}: status "${word}"${msg.retain ? " (retained)" : ""}`, since: msg.ts };
      understood++;
    } else if (word === null) notes.push(`${rn}: status: ${s.path?.source ?? "$"} ${raw === undefined ? "is missing" : `is ${shown(raw)}, not a word`}`);
    else notes.push(`${rn}: status: "${word}" is neither an online nor an offline value`);
  }
  for (const e of c.events) {
    if (!topicMatches(e.filter, msg.topic)) continue;
    const text = e.textPath ? scalarText(e.textPath.get(value)) : (msg.text ?? "").trim();
    if (text === null) {
      notes.push(`${rn}: event ${e.kind}: ${e.textPath!.source} is missing`);
      continue;
    }
    if (text === "") continue; // an emptied retained alarm: cleared, nothing to tell
    const level = (e.levelPath && scalarText(e.levelPath.get(value))) || e.level;
    (facts.events ??= []).push({ kind: e.kind, level, text: clip(text) });
    understood++;
  }
  return understood;
}

function commandFacts(c: CompiledRule, base: string): CommandFact[] {
  return c.commands.map((cmd) => {
    const fact: CommandFact = { name: cmd.name, args: cmd.args, topic: joinTopic(base, cmd.sub), confirm: cmd.confirm.kind };
    if (cmd.description !== undefined) fact.description = cmd.description;
    return fact;
  });
}

function factsOf(c: CompiledRule, m: PatternMatch, msg: Inbound): DeviceFacts {
  const facts: DeviceFacts = {
    id: deviceIdOf(c, m.captures),
    convention: c.id,
    name: c.nameTemplate ? renderTemplate(c.nameTemplate, m.captures) : nativeName(c, m.captures),
    group: c.groupTemplate ? renderTemplate(c.groupTemplate, m.captures) : c.rule.name,
    // A retained replay says what the device is, not that it spoke now.
    seen: !msg.retain,
  };
  if (c.commands.length) facts.commands = commandFacts(c, m.base);
  return facts;
}

/** What the rule makes of one message, with every problem; null when the pattern does not match. */
export function read(c: CompiledRule, msg: Inbound): Reading | null {
  const m = matchPattern(c.pattern, msg.topic);
  if (!m) return null;
  const device = deviceIdOf(c, m.captures);
  // Our own command requests: they belong to the device, but it did not say them.
  if (c.commands.some((cmd) => topicMatches(cmd.filter, msg.topic))) return { out: { device, facts: [] }, notes: [] };
  const facts = factsOf(c, m, msg);
  const out: Interpretation = { device, facts: [facts] };
  const notes: string[] = [];
  const reads = c.fields.some((f) => topicMatches(f.filter, msg.topic)) || (c.status !== null && topicMatches(c.status.filter, msg.topic)) || c.events.some((e) => topicMatches(e.filter, msg.topic));
  if (msg.text === null) {
    if (reads) out.problem = `rule ${c.rule.name}: the payload is too large to read`;
    return { out, notes: out.problem ? [out.problem] : [] };
  }
  const value = payloadValue(msg.text);
  let understood = readParts(c, msg, value, facts, notes);
  const seq = c.seqPath?.get(value);
  if (typeof seq === "number" && Number.isSafeInteger(seq) && seq >= 0) {
    out.seq = { value: seq, stream: device };
    understood++;
  }
  // Said only when nothing at all was understood: a message that carries some of its fields is
  // a device reporting what it has, not a rule that fails to read it.
  if (understood === 0 && notes.length) out.problem = notes[0];
  return { out, notes };
}

// ---------------------------------------------------------------------------------------------
// Commands

function renderPayload(parts: PayloadPart[], args: Record<string, unknown>, id: string): string {
  return parts.map((p) => (p.kind === "text" ? p.text : p.kind === "id" ? id : args[p.name] === undefined ? "" : String(args[p.name]))).join("");
}

function encode(c: CompiledRule, device: DeviceFacts, command: CommandFact, rawArgs: Record<string, unknown>, id: string) {
  const cmd = c.commands.find((k) => k.name === command.name);
  if (!cmd) throw new Error(`rule ${c.rule.name} has no command "${command.name}"`);
  // The topic comes from the caller's copy of the device's facts: check it is this command's
  // topic under this very device, so a stale or forged fact cannot send elsewhere.
  const m = topicMatches(cmd.filter, command.topic) ? matchPattern(c.pattern, command.topic) : null;
  if (!m || deviceIdOf(c, m.captures) !== device.id) throw new Error(`"${command.topic}" is not where ${device.id} takes "${command.name}"`);
  const checked = validateArgs(cmd.args, rawArgs);
  if (!checked.ok) throw new Error(describeArgErrors(checked.errors));
  const args = checked.args;
  const payload = cmd.payload ? renderPayload(cmd.payload, args, id) : JSON.stringify({ id, args });
  const topic = joinTopic(m.base, cmd.confirm.sub);
  let expect: Expectation;
  if (cmd.confirm.kind === "reply") expect = { kind: "reply", topic, replyId: id };
  else {
    const value = cmd.confirm.valueArg !== undefined ? args[cmd.confirm.valueArg] : cmd.confirm.value;
    if (value === undefined) throw new Error(`args.${cmd.confirm.valueArg}: is needed to tell when "${command.name}" is done`);
    expect = { kind: "echo", topic, path: cmd.confirm.path.segments.map(String), value };
  }
  return { request: { topic: command.topic, payload, qos: cmd.qos, retain: false }, expect };
}

type ReplyPaths = Pick<Extract<CompiledConfirm, { kind: "reply" }>, "idPath" | "okPath" | "errorPath" | "resultPath">;

/** The reply paths for a confirm topic (the rule may have changed since it was sent: then the defaults). */
function replyPathsOf(c: CompiledRule, topic: string): ReplyPaths {
  for (const cmd of c.commands) if (cmd.confirm.kind === "reply" && topicMatches(cmd.confirm.filter, topic)) return cmd.confirm;
  return DEFAULT_REPLY_PATHS;
}

const FAILED = /^(false|error|err|fail|failed|failure|no|nok)$/i;

function settleReply(c: CompiledRule, expect: Extract<Expectation, { kind: "reply" }>, text: string) {
  const value = payloadValue(text);
  if (value === null || typeof value !== "object") return { ok: true as const, result: clip(text.trim()) };
  const paths = replyPathsOf(c, expect.topic);
  const rid = paths.idPath.get(value);
  // A reply naming another request is that one's; one naming none settles the oldest waiting.
  if (expect.replyId !== undefined && rid !== undefined && scalarText(rid) !== expect.replyId) return null;
  const ok = paths.okPath.get(value);
  const error = paths.errorPath.get(value);
  const failed = ok === false || ok === 0 || (typeof ok === "string" && FAILED.test(ok.trim())) || (ok === undefined && typeof error === "string" && error !== "");
  if (failed) return { ok: false as const, error: typeof error === "string" && error !== "" ? clip(error) : "the device said it failed" };
  const result = paths.resultPath.get(value);
  return result === undefined ? { ok: true as const } : { ok: true as const, result };
}

function settle(c: CompiledRule, expect: Expectation, msg: Inbound) {
  if (msg.topic !== expect.topic) return null;
  if (msg.text === null) return expect.kind === "reply" ? { ok: false as const, error: "the reply is too large to read" } : null;
  if (expect.kind === "reply") return settleReply(c, expect, msg.text);
  // Compared as text, so 1 and "1" agree (devices send either).
  const shows = scalarText(pick(payloadValue(msg.text), expect.path));
  return shows !== null && shows === String(expect.value) ? { ok: true as const } : null;
}

// ---------------------------------------------------------------------------------------------
// Broker access

function access(c: CompiledRule, name: string): { publish: string[]; subscribe: string[] } {
  const none = { publish: [], subscribe: [] };
  const values = name.split("/");
  // Every value must stand for exactly one level: a "#" here would grant the whole tree.
  if (values.length !== c.idNames.length || !values.every(isPlainLevel)) return none;
  const captures = new Map(c.idNames.map((n, i) => [n, values[i]!]));
  const base = fillBase(c.pattern, captures);
  const reads = [...c.fields, ...(c.status ? [c.status] : []), ...c.events, ...c.commands.map((k) => k.confirm)];
  // Only what the rule reads, not the whole pattern: that would let a device send its own commands.
  const publish = reads.length ? reads.map((r) => joinTopic(base, r.sub)) : [c.pattern.tail ? `${base}/#` : base];
  return { publish: [...new Set(publish)], subscribe: [...new Set(c.commands.map((k) => joinTopic(base, k.sub)))] };
}

// ---------------------------------------------------------------------------------------------
// The convention

function compiledOrThrow(rule: Rule): CompiledRule {
  const r = compileRule(rule);
  if (!r.ok) throw new Error(r.errors.map((e) => `rule "${rule.name}": ${e}`).join("; "));
  return r.compiled;
}

/** The convention a (validated) rule compiles to. Throws, naming every problem, for an invalid one. */
export function ruleConvention(rule: Rule): Convention<RuleState> {
  const c = compiledOrThrow(rule);
  return {
    id: c.id,
    label: rule.label ?? `Rule ${rule.name}`,
    filters: [c.pattern.filter],
    initialState: () => null,
    claims: (topic) => topicMatches(c.pattern.filter, topic),
    interpret: (msg) => read(c, msg)?.out ?? null,
    encodeCommand: (device, command, args, id) => encode(c, device, command, args, id),
    confirms: (expect, msg) => settle(c, expect, msg),
    deviceAccess: (name) => access(c, name),
  };
}

/** Every rule of a file, as conventions in file order. */
export const ruleConventions = (rules: readonly Rule[]): Convention<RuleState>[] => rules.map(ruleConvention);
