/**
 * Command arguments: the JSON Schema subset a command definition uses (an object of integer,
 * number, string, boolean or enum properties with ranges and units), and the validator that
 * checks a request against it. Pure: the browser's form and the server's route run the same
 * check, so an invalid argument is named on its field before anything is sent.
 */
import { z } from "zod";

/** `x-unit` is our extension keyword (JSON Schema ignores unknown keywords). */
const property = z.object({
  type: z.enum(["integer", "number", "string", "boolean"]),
  description: z.string().max(500).optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  enum: z.array(z.union([z.string(), z.number()])).min(1).max(100).optional(),
  maxLength: z.number().int().min(0).optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  "x-unit": z.string().max(20).optional(),
});

export const argsSchemaSchema = z
  .object({
    type: z.literal("object"),
    properties: z.record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "argument names are identifiers"),
      property.refine((p) => p.minimum === undefined || p.maximum === undefined || p.minimum <= p.maximum, "minimum is above maximum"),
    ),
    required: z.array(z.string()).default([]),
    additionalProperties: z.literal(false).default(false),
  })
  .refine((s) => s.required.every((r) => Object.hasOwn(s.properties, r)), { message: "required names an argument that is not in properties", path: ["required"] });

export type ArgProperty = z.infer<typeof property>;
export type ArgsSchema = z.infer<typeof argsSchemaSchema>;
export type ArgValue = string | number | boolean;
export type Args = Record<string, ArgValue>;

/** One message per offending argument, keyed by its name ("" for the arguments as a whole). */
export type ArgErrors = Record<string, string>;

export type ArgsResult = { ok: true; args: Args } | { ok: false; errors: ArgErrors };

export const NO_ARGS: ArgsSchema = { type: "object", properties: {}, required: [], additionalProperties: false };

const MAX_STRING = 1000;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function describeRange(p: ArgProperty): string {
  const unit = p["x-unit"] ? ` ${p["x-unit"]}` : "";
  if (p.minimum !== undefined && p.maximum !== undefined) return ` in ${p.minimum}..${p.maximum}${unit}`;
  if (p.minimum !== undefined) return ` ≥ ${p.minimum}${unit}`;
  if (p.maximum !== undefined) return ` ≤ ${p.maximum}${unit}`;
  return "";
}

/** Checks one value; returns the problem in words, or null. */
function checkValue(p: ArgProperty, value: unknown): string | null {
  if (p.enum) {
    return p.enum.some((e) => e === value) ? null : `must be one of ${p.enum.map((e) => JSON.stringify(e)).join(", ")}`;
  }
  switch (p.type) {
    case "boolean":
      return typeof value === "boolean" ? null : "must be true or false";
    case "string":
      if (typeof value !== "string") return "must be text";
      return value.length > (p.maxLength ?? MAX_STRING) ? `must be at most ${p.maxLength ?? MAX_STRING} characters` : null;
    case "integer":
    case "number": {
      const what = p.type === "integer" ? "a whole number" : "a number";
      if (typeof value !== "number" || !Number.isFinite(value)) return `must be ${what}${describeRange(p)}`;
      if (p.type === "integer" && !Number.isInteger(value)) return `must be ${what}${describeRange(p)} (got ${value})`;
      if ((p.minimum !== undefined && value < p.minimum) || (p.maximum !== undefined && value > p.maximum)) {
        return `must be ${what}${describeRange(p)} (got ${value})`;
      }
      return null;
    }
  }
}

/** Validates `input` against `schema`; defaults fill arguments left out. */
export function validateArgs(schema: ArgsSchema, input: unknown): ArgsResult {
  const given = input ?? {};
  if (typeof given !== "object" || Array.isArray(given)) return { ok: false, errors: { "": "args must be an object" } };
  const errors: ArgErrors = {};
  const args: Args = {};
  const values = given as Record<string, unknown>;
  for (const name of Object.keys(values)) {
    if (!Object.hasOwn(schema.properties, name)) errors[name] = "is not an argument of this command";
  }
  for (const [name, p] of Object.entries(schema.properties)) {
    const value = Object.hasOwn(values, name) ? values[name] : p.default;
    if (value === undefined) {
      if (schema.required.includes(name)) errors[name] = `is required${p.type === "integer" || p.type === "number" ? ` (${p.type === "integer" ? "a whole number" : "a number"}${describeRange(p)})` : ""}`;
      continue;
    }
    const problem = checkValue(p, value);
    if (problem) errors[name] = problem;
    else args[name] = value as ArgValue;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, args };
}

/** `joint: must be …; angle: …`: one sentence for an API error message. */
export function describeArgErrors(errors: ArgErrors): string {
  return Object.entries(errors)
    .map(([name, message]) => (name ? `args.${name}: ${message}` : message))
    .join("; ");
}

/** Turns a form field's text into the value its property expects (the form edits text). */
export function parseArgInput(p: ArgProperty, text: string): unknown {
  const t = text.trim();
  if (p.type === "boolean") return t === "true" ? true : t === "false" ? false : t;
  if (p.type === "integer" || p.type === "number") {
    if (t === "") return undefined;
    // Decimal notation only: Number() would also take "0x10" (16) or "" (0) and send a value nobody typed.
    return DECIMAL.test(t) ? Number(t) : t;
  }
  return text;
}

/** Command names are one topic level, and plain enough to read in an audit log. */
export const commandName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, "must be 1..64 letters, digits, _ or -, starting with a letter");
