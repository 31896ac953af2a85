/**
 * The part of Home Assistant's Jinja `value_template` language that MQTT discovery configs
 * actually use, as a parser and an evaluator over plain data: `{{ value }}`,
 * `{{ value_json.a.b }}`, `{{ value_json['a'][0] }}` and the filters `float`, `int`, `round`
 * and `default`, with HA's own semantics for them (homeassistant/helpers/template.py:
 * forgiving_float / forgiving_int / forgiving_round). A config comes from whoever can publish
 * on the discovery prefix, so anything outside this subset (`{% if %}`, `''.__class__`,
 * calls, arithmetic, a second expression) is refused when compiled and never run.
 *
 * Pure, no `eval`: a compiled template is a list of steps read off plain JSON data.
 */

/** Longer templates are refused before they are scanned: the subset never needs more. */
export const MAX_TEMPLATE_LENGTH = 2048;
/** Accessors plus filters in one template. */
export const MAX_TEMPLATE_STEPS = 32;
/** `round(n)` precisions taken: beyond this a double has no digits left to round. */
export const MAX_ROUND_PRECISION = 15;

export type Literal = string | number | boolean | null;

/** What a template reads: the payload as text, and its JSON when it parses as JSON. */
export interface TemplateInput {
  value: string;
  hasJson: boolean;
  json: unknown;
}

export type RenderResult = { ok: true; value: unknown } | { ok: false; error: string };

export interface CompiledTemplate {
  readonly source: string;
  /** Whether the template reads `value_json` (so a caller may skip the JSON parse otherwise). */
  readonly usesJson: boolean;
  render(input: TemplateInput): RenderResult;
}

export type CompileResult = { ok: true; template: CompiledTemplate } | { ok: false; problem: string };

/** The payload as a template sees it; JSON is parsed once per message, whatever its shape. */
export function templateInput(text: string): TemplateInput {
  const t = text.trim();
  const first = t[0];
  // Cheap pre-test: only these can start a JSON text, and exceptions are dear per message.
  if (first === undefined || !(first === "{" || first === "[" || first === '"' || first === "-" || first === "t" || first === "f" || first === "n" || (first >= "0" && first <= "9"))) {
    return { value: text, hasJson: false, json: undefined };
  }
  try {
    return { value: text, hasJson: true, json: JSON.parse(t) as unknown };
  } catch {
    return { value: text, hasJson: false, json: undefined };
  }
}

// ---------------------------------------------------------------------------------------------
// The compiled form

type Step = { kind: "key"; key: string } | { kind: "index"; index: number };
type Filter =
  | { name: "float" | "int"; fallback?: Literal }
  | { name: "round"; precision: number; method: RoundMethod; fallback?: Literal }
  | { name: "default"; fallback: Literal };
type RoundMethod = "common" | "ceil" | "floor" | "half";

interface Program {
  root: "value" | "value_json";
  steps: Step[];
  filters: Filter[];
}

/** Jinja's Undefined: a missing key is not an error until something needs its value. */
const UNDEFINED: unique symbol = Symbol("undefined");
type Val = unknown;

class Unsupported extends Error {}

// ---------------------------------------------------------------------------------------------
// Parsing

export function compileTemplate(source: string): CompileResult {
  if (source.length > MAX_TEMPLATE_LENGTH) return { ok: false, problem: `template longer than ${MAX_TEMPLATE_LENGTH} characters` };
  try {
    const program = new Parser(source).template();
    return { ok: true, template: compiled(source, program) };
  } catch (e) {
    if (e instanceof Unsupported) return { ok: false, problem: `template not supported: ${e.message}` };
    throw e;
  }
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?/y;

class Parser {
  private pos = 0;
  private steps = 0;

  constructor(private readonly src: string) {}

  template(): Program {
    this.ws();
    if (!this.eat("{{")) throw new Unsupported(this.src.trimStart().startsWith("{%") ? "statements ({% %}) are not read" : "only one {{ … }} expression is read");
    this.eat("-"); // whitespace control: nothing to strip in a template that is one expression
    this.ws();
    const program = this.expression();
    this.ws();
    this.eat("-");
    if (!this.eat("}}")) throw new Unsupported(`unexpected ${this.peekWord()} (only value/value_json lookups and the filters float, int, round, default are read)`);
    this.ws();
    if (this.pos !== this.src.length) throw new Unsupported("text or statements after the expression are not read");
    return program;
  }

  private expression(): Program {
    const name = this.ident();
    if (name !== "value" && name !== "value_json") throw new Unsupported(name === null ? `unexpected ${this.peekWord()}; only value and value_json are read` : `'${name}' is not read; only value and value_json are`);
    const steps: Step[] = [];
    for (;;) {
      this.ws();
      if (this.eat(".")) {
        this.ws();
        const key = this.ident();
        if (key === null) throw new Unsupported(`expected a name after '.', found ${this.peekWord()}`);
        // Jinja's sandbox refuses attributes starting with `_` (`__class__` and friends).
        if (key.startsWith("_")) throw new Unsupported(`attribute '${key}' is not read (names starting with _ are refused)`);
        steps.push({ kind: "key", key });
      } else if (this.eat("[")) {
        this.ws();
        steps.push(this.subscript());
        this.ws();
        if (!this.eat("]")) throw new Unsupported(`expected ']', found ${this.peekWord()}`);
      } else if (this.peek() === "(") {
        throw new Unsupported("function and method calls are not read");
      } else break;
      this.count();
    }
    const filters: Filter[] = [];
    for (;;) {
      this.ws();
      if (!this.eat("|")) break;
      this.ws();
      filters.push(this.filter());
      this.count();
    }
    return { root: name, steps, filters };
  }

  private subscript(): Step {
    const lit = this.literal();
    if (typeof lit === "string") return { kind: "key", key: lit };
    if (typeof lit === "number" && Number.isSafeInteger(lit) && lit >= 0) return { kind: "index", index: lit };
    throw new Unsupported("a subscript must be a string or a non-negative integer");
  }

  private filter(): Filter {
    const name = this.ident();
    if (name === null) throw new Unsupported(`expected a filter name, found ${this.peekWord()}`);
    const { positional, named } = this.args();
    const known = (allowed: string[]) => {
      for (const k of Object.keys(named)) if (!allowed.includes(k)) throw new Unsupported(`filter ${name} takes no argument '${k}'`);
    };
    switch (name) {
      case "float":
      case "int": {
        known(["default"]);
        if (positional.length > 1) throw new Unsupported(`${name} takes at most a default (other bases are not read)`);
        const fallback = positional[0] ?? named.default;
        return fallback === undefined ? { name } : { name, fallback };
      }
      case "round": {
        known(["precision", "method", "default"]);
        if (positional.length > 3) throw new Unsupported("round takes precision, method and default");
        const precision = positional[0] ?? named.precision ?? 0;
        const method = positional[1] ?? named.method ?? "common";
        const fallback = positional[2] ?? named.default;
        if (typeof precision !== "number" || !Number.isInteger(precision) || precision < 0 || precision > MAX_ROUND_PRECISION) throw new Unsupported(`round's precision must be an integer 0..${MAX_ROUND_PRECISION}`);
        if (method !== "common" && method !== "ceil" && method !== "floor" && method !== "half") throw new Unsupported("round's method must be 'common', 'ceil', 'floor' or 'half'");
        return fallback === undefined ? { name, precision, method } : { name, precision, method, fallback };
      }
      case "default":
      case "d": {
        known(["default_value"]);
        if (positional.length > 1) throw new Unsupported("default takes one value (the boolean form is not read)");
        return { name: "default", fallback: positional[0] ?? named.default_value ?? "" };
      }
      default:
        throw new Unsupported(`filter '${name}' is not read (only float, int, round, default)`);
    }
  }

  private args(): { positional: Literal[]; named: Record<string, Literal> } {
    const positional: Literal[] = [];
    const named: Record<string, Literal> = Object.create(null) as Record<string, Literal>;
    this.ws();
    if (!this.eat("(")) return { positional, named };
    this.ws();
    if (this.eat(")")) return { positional, named };
    for (;;) {
      this.ws();
      const save = this.pos;
      const key = this.ident();
      this.ws();
      if (key !== null && this.peek() === "=" && this.src[this.pos + 1] !== "=") {
        this.pos++;
        this.ws();
        named[key] = this.literal();
      } else {
        this.pos = save;
        if (Object.keys(named).length > 0) throw new Unsupported("positional arguments after named ones");
        positional.push(this.literal());
      }
      this.ws();
      if (this.eat(")")) return { positional, named };
      if (!this.eat(",")) throw new Unsupported(`expected ',' or ')', found ${this.peekWord()}`);
    }
  }

  private literal(): Literal {
    const c = this.peek();
    if (c === "'" || c === '"') {
      const end = this.src.indexOf(c, this.pos + 1);
      if (end < 0) throw new Unsupported("unterminated string");
      const s = this.src.slice(this.pos + 1, end);
      // Escapes would need Python's rules; no config in the subset needs them.
      if (s.includes("\\")) throw new Unsupported("escapes in strings are not read");
      this.pos = end + 1;
      return s;
    }
    NUMBER.lastIndex = this.pos;
    const n = NUMBER.exec(this.src);
    if (n) {
      this.pos += n[0].length;
      return Number(n[0]);
    }
    const word = this.ident();
    if (word === "true" || word === "True") return true;
    if (word === "false" || word === "False") return false;
    if (word === "none" || word === "None") return null;
    throw new Unsupported(word === null ? `expected a literal, found ${this.peekWord()}` : `'${word}' is not a literal; variables are not read`);
  }

  private count(): void {
    if (++this.steps > MAX_TEMPLATE_STEPS) throw new Unsupported(`more than ${MAX_TEMPLATE_STEPS} lookups and filters`);
  }

  private ident(): string | null {
    IDENT.lastIndex = this.pos;
    const m = IDENT.exec(this.src);
    if (!m) return null;
    this.pos += m[0].length;
    return m[0];
  }

  private ws(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  private eat(s: string): boolean {
    if (!this.src.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  private peekWord(): string {
    if (this.pos >= this.src.length) return "the end";
    return `'${this.src.slice(this.pos, this.pos + 12)}'`;
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function compiled(source: string, program: Program): CompiledTemplate {
  return {
    source,
    usesJson: program.root === "value_json",
    render: (input) => run(program, input),
  };
}

function run(p: Program, input: TemplateInput): RenderResult {
  let v: Val = p.root === "value" ? input.value : input.hasJson ? input.json : UNDEFINED;
  let path: string = p.root;
  for (const s of p.steps) {
    // As Jinja's default Undefined: reading into an undefined value is an error, not undefined.
    if (v === UNDEFINED) return { ok: false, error: `${path} is undefined${path === "value_json" ? " (the payload is not JSON)" : ""}` };
    v = step(v, s);
    path += s.kind === "key" ? `.${s.key}` : `[${s.index}]`;
  }
  for (const f of p.filters) {
    const r = applyFilter(f, v);
    if (!r.ok) return { ok: false, error: `${path} | ${f.name}: ${r.error}` };
    v = r.value;
  }
  if (v === UNDEFINED) return { ok: false, error: `${path} is undefined` };
  return { ok: true, value: v };
}

function step(v: Val, s: Step): Val {
  if (s.kind === "key") {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      return Object.hasOwn(o, s.key) ? o[s.key] : UNDEFINED;
    }
    return UNDEFINED;
  }
  if (Array.isArray(v)) return s.index < v.length ? (v[s.index] as unknown) : UNDEFINED;
  if (typeof v === "string") {
    const chars = [...v]; // Python indexes code points
    return s.index < chars.length ? chars[s.index] : UNDEFINED;
  }
  return UNDEFINED;
}

function applyFilter(f: Filter, v: Val): RenderResult {
  if (f.name === "default") return { ok: true, value: v === UNDEFINED ? f.fallback : v };
  const out = f.name === "round" ? roundOf(v, f.precision, f.method) : f.name === "float" ? pyFloat(v) : pyInt(v);
  if (out !== null) return { ok: true, value: out };
  if (f.fallback !== undefined) return { ok: true, value: f.fallback };
  return { ok: false, error: `cannot convert ${describe(v)} and no default was given` };
}

const PY_FLOAT = /^[-+]?(?:(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*(?:[eE][-+]?\d(?:_?\d)*)?|\d(?:_?\d)*\.|inf|infinity|nan)$/i;

/** Python's float(): numbers, booleans, and the strings float() accepts; null when it raises. */
export function pyFloat(v: Val): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v !== "string") return null;
  const s = v.trim();
  if (!PY_FLOAT.test(s)) return null;
  const body = s.replace(/_/g, "").toLowerCase();
  const unsigned = body.replace(/^[-+]/, "");
  const sign = body.startsWith("-") ? -1 : 1;
  if (unsigned === "inf" || unsigned === "infinity") return sign * Infinity;
  if (unsigned === "nan") return NaN;
  return Number(body);
}

/** Jinja's do_int as HA calls it: int(s), else int(float(s)), truncating toward zero. */
export function pyInt(v: Val): number | null {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return Number.isFinite(v) ? Math.trunc(v) : null;
  if (typeof v !== "string") return null;
  const s = v.trim();
  if (/^[-+]?\d(?:_?\d)*$/.test(s)) return Number(s.replace(/_/g, ""));
  const f = pyFloat(s);
  return f !== null && Number.isFinite(f) ? Math.trunc(f) : null;
}

/** HA's forgiving_round: float() first, then round; precision 0 gives an integer. */
function roundOf(v: Val, precision: number, method: RoundMethod): number | null {
  const x = pyFloat(v);
  if (x === null || !Number.isFinite(x)) return null;
  const m = 10 ** precision;
  switch (method) {
    case "ceil":
      return Math.ceil(x * m) / m;
    case "floor":
      return Math.floor(x * m) / m;
    case "half":
      return pyRound(x * 2, 0) / 2;
    default:
      return pyRound(x, precision);
  }
}

/**
 * Python's round(x, n) for floats: to the nearest multiple of 10^-n of the double's exact value,
 * ties to even (so round(2.5) is 2 and round(0.125, 2) is 0.12, where toFixed says 3 and 0.13).
 */
export function pyRound(x: number, n: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return x;
  // toFixed(100) is the exact decimal expansion of every double this large (≥ ~1e-12); smaller
  // ones round to zero at any precision taken here, with no tie possible.
  const exact = Math.abs(x).toFixed(100);
  const [intPart, frac = ""] = exact.split(".") as [string, string?];
  const kept = intPart + frac.slice(0, n);
  const rest = frac.slice(n);
  const first = rest.charCodeAt(0) - 48;
  const beyond = /[1-9]/.test(rest.slice(1));
  const lastKept = kept.charCodeAt(kept.length - 1) - 48;
  const up = first > 5 || (first === 5 && (beyond || lastKept % 2 === 1));
  const digits = up ? incrementDigits(kept) : kept;
  const whole = digits.slice(0, digits.length - n) || "0";
  const text = n > 0 ? `${whole}.${digits.slice(digits.length - n)}` : whole;
  const r = Number(text);
  return x < 0 && r !== 0 ? -r : r;
}

function incrementDigits(d: string): string {
  const out = d.split("");
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] === "9") out[i] = "0";
    else {
      out[i] = String.fromCharCode(out[i]!.charCodeAt(0) + 1);
      return out.join("");
    }
  }
  return `1${out.join("")}`;
}

/**
 * A rendered value as Python's str() writes it, which is what HA compares with payload_on,
 * payload_available and the like (a JSON `true` renders as "True"; Zigbee2MQTT's configs say
 * `payload_on: true`, which HA's schema also turns into "True"). Containers as JSON: no payload
 * comparison in the subset needs Python's repr of them.
 */
export function pyStr(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null || v === undefined) return "None";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  return JSON.stringify(v) ?? "";
}

function describe(v: Val): string {
  if (v === UNDEFINED) return "an undefined value";
  if (typeof v === "string") return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (v === null) return "None";
  if (typeof v === "object") return Array.isArray(v) ? "a list" : "an object";
  return String(v);
}
