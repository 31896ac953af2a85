/**
 * Sparkplug B 3.0, read as a Sparkplug Host Application (Eclipse Sparkplug 3.0.0, chapters 4–6):
 * `spBv1.0/<group>/<NBIRTH|NDATA|NDEATH|DBIRTH|DDATA|DDEATH|NCMD|DCMD>/<edge node>[/<device>]`,
 * and the hosts' own `spBv1.0/STATE/<host id>` (3.0) and `STATE/<host id>` (2.x).
 *
 * A BIRTH names every metric the edge node or device will ever report, with its alias and
 * datatype; DATA then sends aliases only, often without the datatype. So this convention learns
 * the BIRTH tables, resolves DATA through them, watches the one seq counter an edge node shares
 * across all its messages, and asks for a rebirth (an NCMD) when it lost track. Pure: the
 * message brings its time; the rebirth request is returned, not sent.
 *
 * Payloads are decoded with the protobuf classes of Eclipse Tahu's `sparkplug-payload` directly,
 * not its `decodePayload`: that one turns every metric sent without a datatype into null, and
 * 3.0 says DATA metrics SHOULD NOT carry one [tck-id-payloads-metric-datatype-not-req]. Requests
 * are encoded with Tahu's `encodePayload`.
 *
 * Runs in the browser as in Node: no `node:` modules, no Buffer.
 */
import { get } from "sparkplug-payload";
// The `.js` is needed: Node's ESM loader resolves no extension inside a package without `exports`.
import * as protoModule from "sparkplug-payload/lib/sparkplugPayloadProto.js";
import { z } from "zod";
import { deviceIdFrom, jsonObjectOf, numberOf } from "../convention";
import type { ArgsJsonSchema, CommandFact, Convention, DeviceEventFact, DeviceFacts, Expectation, Inbound, Interpretation, Measurement, Outbound } from "../convention";
import type { DeviceId } from "../model";

// ---------------------------------------------------------------------------------------------
// Bounds and constants
// ---------------------------------------------------------------------------------------------

export const SPARKPLUG_NAMESPACE = "spBv1.0";
const NAMESPACE_LEVEL = `${SPARKPLUG_NAMESPACE}/`;
/** What a subscriber needs to see every message this convention reads. */
export const SPARKPLUG_FILTERS = [`${SPARKPLUG_NAMESPACE}/#`, "STATE/+"] as const;

/** Edge nodes whose tables and counters are kept; past it a new edge node is refused. */
export const MAX_EDGE_NODES = 512;
/** Devices kept per edge node; past it a new device is refused. */
export const MAX_DEVICES_PER_EDGE = 128;
/** Metrics read from one BIRTH (one alias table); the rest of that BIRTH is refused. */
export const MAX_METRICS_PER_BIRTH = 512;
/** Metric definitions kept across all tables together, so the per-level bounds cannot multiply out. */
export const MAX_METRICS_TOTAL = 100_000;
/** Commands said per device (one per writable metric). */
export const MAX_COMMANDS_PER_DEVICE = 64;
/** Group, edge node and device ids longer than this are refused. */
export const MAX_ID_LENGTH = 256;
/** Metric names longer than this are not learned. */
export const MAX_NAME_LENGTH = 1024;
/** Engineering units longer than this are dropped. */
export const MAX_UNIT_LENGTH = 64;
/** A string command value longer than this is refused. */
export const MAX_COMMAND_STRING_LENGTH = 4096;
/** At most one rebirth request per edge node in this long (by the messages' own times). */
export const REBIRTH_MIN_INTERVAL_MS = 10_000;

/** Sparkplug counts 0..255 and wraps [tck-id-payloads-sequence-num-incrementing]. */
const SEQ_MODULO = 256;
export const REBIRTH_METRIC = "Node Control/Rebirth";
const BDSEQ_METRIC = "bdSeq";
/** Tahu's sparkplug-client marks a DEFLATE/GZIP body with this uuid. */
const COMPRESSED_UUID = "SPBV1.0_COMPRESSED";
/** Units are not in the spec; `engUnit` is what Tahu's examples and Ignition use. */
const UNIT_KEYS = ["engUnit", "EngUnit", "units"] as const;

/** Sparkplug DataType enum values (Sparkplug_6_Payloads: Data Types). */
const DT = {
  Int8: 1, Int16: 2, Int32: 3, Int64: 4, UInt8: 5, UInt16: 6, UInt32: 7, UInt64: 8,
  Float: 9, Double: 10, Boolean: 11, String: 12, DateTime: 13, Text: 14, UUID: 15,
  DataSet: 16, Bytes: 17, File: 18, Template: 19, PropertySet: 20, PropertySetList: 21,
  FirstArray: 22, LastArray: 34,
} as const;

// ---------------------------------------------------------------------------------------------
// Codec
// ---------------------------------------------------------------------------------------------

type Codec = NonNullable<ReturnType<typeof get>>;
type UPayload = Parameters<Codec["encodePayload"]>[0];
type UMetric = NonNullable<UPayload["metrics"]>[number];
type TypeStr = UMetric["type"];

function loadCodec(): Codec {
  const c = get(SPARKPLUG_NAMESPACE);
  if (!c) throw new Error("sparkplug-payload has no spBv1.0 codec");
  return c;
}
const codec = loadCodec();

type ProtoNamespace = typeof protoModule;
/** Node's ESM loader sees this CommonJS module only as `default`; bundlers also give its names. */
function protoRootOf(m: ProtoNamespace): ProtoNamespace {
  if ("org" in m && m.org) return m;
  return (m as unknown as { default: ProtoNamespace }).default;
}
const ProtoPayload = protoRootOf(protoModule).org.eclipse.tahu.protobuf.Payload;
type RawMetric = protoModule.org.eclipse.tahu.protobuf.Payload.IMetric;
type RawPropertySet = protoModule.org.eclipse.tahu.protobuf.Payload.IPropertySet;

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

/** Where a real edge node broke the spec and was read anyway. */
export type ForgivenKind =
  | "bdseq_datatype" // bdSeq not Int64 [tck-id-message-flow-edge-node-birth-publish-nbirth-payload-bdSeq]; Tahu's JS client sends UInt64
  | "nbirth_without_bdseq" // [tck-id-topics-nbirth-bdseq-included]
  | "ndeath_without_bdseq" // [tck-id-payloads-ndeath-bdseq]
  | "stale_ndeath" // an NDEATH of an earlier session, ignored as the spec says
  | "ndeath_seq" // [tck-id-payloads-ndeath-seq]
  | "rebirth_alias" // [tck-id-operational-behavior-data-commands-rebirth-name-aliases]; Tahu's C example does it
  | "repeated_seq"
  | "missing_seq" // [tck-id-payloads-sequence-num-always-included]
  | "seq_out_of_range"
  | "retained" // BIRTH/DATA/DEATH are never retained [tck-id-topics-nbirth-mqtt]
  | "birth_metric_without_name" // [tck-id-topics-nbirth-metrics]
  | "birth_metric_without_datatype" // [tck-id-payloads-metric-datatype-req]
  | "duplicate_alias" // [tck-id-payloads-alias-uniqueness]
  | "duplicate_name"
  | "metric_not_in_birth"; // [tck-id-topics-nbirth-metric-reqs]

/** Values this convention does not decode, counted. */
export type SkippedKind = "array" | "dataset" | "template" | "bytes" | "propertyset" | "unknown_datatype" | "no_datatype" | "historical" | "unsafe_name";

export interface MetricDef {
  name: string;
  /** uint64 as a decimal string; null when the BIRTH gave none. */
  alias: string | null;
  datatype: number;
  unit?: string;
  readOnly?: boolean;
}

export interface MetricTable {
  byName: Map<string, MetricDef>;
  byAlias: Map<string, MetricDef>;
  /** The BIRTH had more than the bound: an unknown alias then is ours, not the edge node's. */
  truncated: boolean;
}

export interface DeviceState {
  device: string;
  id: DeviceId;
  /** A DBIRTH (or a restored snapshot) of the current session gave its table. */
  born: boolean;
  metrics: MetricTable;
}

/** `none`: only DATA seen; `born`: this host read the NBIRTH; `restored`: from a snapshot; `dead`: after NDEATH. */
export type SessionKind = "none" | "born" | "restored" | "dead";

export interface EdgeNodeState {
  group: string;
  edge: string;
  id: DeviceId;
  session: SessionKind;
  /** The current session's bdSeq, from its NBIRTH [tck-id-payloads-ndeath-bdseq]. */
  bdSeq: number | null;
  metrics: MetricTable;
  devices: Map<string, DeviceState>;
  /** The last seq of this edge node's one counter (NBIRTH, NDATA, DBIRTH, DDATA, DDEATH). */
  lastSeq: number | null;
  /** `ts` of the last rebirth request sent, for REBIRTH_MIN_INTERVAL_MS. */
  lastRebirthAt: number | null;
}

export interface SparkplugState {
  /** By `<group>/<edge>` (neither may contain `/` [tck-id-topic-structure-namespace-valid-edge-node-id]). */
  nodes: Map<string, EdgeNodeState>;
  /** Metric definitions in all tables, against MAX_METRICS_TOTAL. */
  metricCount: number;
  forgiven: Partial<Record<ForgivenKind, number>>;
  skipped: Partial<Record<SkippedKind, number>>;
  rebirths: { requested: number; suppressed: number };
  /** The latest message time read: the only clock encodeCommand has (see its comment). */
  lastTs: number | null;
}

export function initialSparkplugState(): SparkplugState {
  return { nodes: new Map(), metricCount: 0, forgiven: {}, skipped: {}, rebirths: { requested: 0, suppressed: 0 }, lastTs: null };
}

/** What was forgiven to edge nodes that break the spec, by kind. */
export function forgivenCounts(state: SparkplugState): Partial<Record<ForgivenKind, number>> {
  return { ...state.forgiven };
}

/** Everything this convention counted: forgiven, not decoded, rebirths asked and held back. */
export function sparkplugCounts(state: SparkplugState) {
  return { forgiven: { ...state.forgiven }, skipped: { ...state.skipped }, rebirths: { ...state.rebirths } };
}

function forgive(state: SparkplugState, kind: ForgivenKind): void {
  state.forgiven[kind] = (state.forgiven[kind] ?? 0) + 1;
}

function skip(state: SparkplugState, kind: SkippedKind): void {
  state.skipped[kind] = (state.skipped[kind] ?? 0) + 1;
}

const emptyTable = (): MetricTable => ({ byName: new Map(), byAlias: new Map(), truncated: false });
const nodeKey = (group: string, edge: string) => `${group}/${edge}`;

// ---------------------------------------------------------------------------------------------
// Topics
// ---------------------------------------------------------------------------------------------

export type SparkplugVerb = "NBIRTH" | "NDATA" | "NDEATH" | "DBIRTH" | "DDATA" | "DDEATH" | "NCMD" | "DCMD";
const VERBS = new Set<string>(["NBIRTH", "NDATA", "NDEATH", "DBIRTH", "DDATA", "DDEATH", "NCMD", "DCMD"]);

export interface SparkplugTopic {
  group: string;
  verb: SparkplugVerb;
  edge: string;
  /** Present exactly for the D* verbs [tck-id-topic-structure-namespace-device-id-associated-message-types]. */
  device: string | null;
}

export function parseSparkplugTopic(topic: string): SparkplugTopic | null {
  const levels = topic.split("/");
  if (levels[0] !== SPARKPLUG_NAMESPACE || levels.length < 4 || levels.length > 5) return null;
  const [, group, verb, edge, device] = levels as [string, string, string, string, string | undefined];
  if (!group || !edge || !VERBS.has(verb)) return null;
  if (verb.startsWith("D") !== (device !== undefined) || device === "") return null;
  return { group, verb: verb as SparkplugVerb, edge, device: device ?? null };
}

export function sparkplugTopic(group: string, verb: SparkplugVerb, edge: string, device?: string | null): string {
  const base = `${SPARKPLUG_NAMESPACE}/${group}/${verb}/${edge}`;
  return device ? `${base}/${device}` : base;
}

/** `spBv1.0/STATE/<host>` (3.0, JSON) or `STATE/<host>` (2.x, ONLINE/OFFLINE). */
export function parseStateTopic(topic: string): { hostId: string; version: "3.0" | "2.x" } | null {
  const levels = topic.split("/");
  if (levels.length === 3 && levels[0] === SPARKPLUG_NAMESPACE && levels[1] === "STATE" && levels[2]) return { hostId: levels[2], version: "3.0" };
  if (levels.length === 2 && levels[0] === "STATE" && levels[1]) return { hostId: levels[1], version: "2.x" };
  return null;
}

/** A topic level a Sparkplug id may be: no wildcard or separator [tck-id-topic-structure-namespace-valid-group-id]. */
const validId = (s: string) => s.length > 0 && s.length <= MAX_ID_LENGTH && !/[/+#]/.test(s);

export const edgeNodeDeviceId = (group: string, edge: string) => deviceIdFrom("sp", group, edge);
export const sparkplugDeviceId = (group: string, edge: string, device: string) => deviceIdFrom("sp", group, edge, device);

// ---------------------------------------------------------------------------------------------
// Host STATE and rebirth requests (what this host publishes)
// ---------------------------------------------------------------------------------------------

/**
 * This host's 3.0 STATE messages: the Will (`online: false`) to put in CONNECT and the birth
 * (`online: true`) to publish after subscribing, both QoS 1 and retained, stamped with the
 * CONNECT's time [tck-id-host-topic-phid-death-payload] [tck-id-host-topic-phid-birth-payload].
 */
export function hostState(hostId: string, ts: number): { will: Outbound; online: Outbound } {
  if (!validId(hostId)) throw new Error(`a Sparkplug host id must be 1–${MAX_ID_LENGTH} characters without / + #`);
  const topic = `${SPARKPLUG_NAMESPACE}/STATE/${hostId}`;
  const msg = (online: boolean): Outbound => ({ topic, payload: JSON.stringify({ online, timestamp: ts }), qos: 1, retain: true });
  return { will: msg(false), online: msg(true) };
}

/**
 * NCMD `Node Control/Rebirth = true`, by name (a host may not know the alias, and the edge node
 * must not give this metric one [tck-id-operational-behavior-data-commands-rebirth-name-aliases]),
 * with a payload timestamp and no seq [tck-id-payloads-ncmd-seq], QoS 0, not retained
 * [tck-id-topics-ncmd-mqtt].
 */
export function rebirthRequest(group: string, edge: string, ts: number): Outbound {
  const payload = codec.encodePayload({ timestamp: ts, metrics: [{ name: REBIRTH_METRIC, type: "Boolean", value: true, timestamp: ts }] });
  return { topic: sparkplugTopic(group, "NCMD", edge), payload, qos: 0, retain: false };
}

// ---------------------------------------------------------------------------------------------
// Payload decoding
// ---------------------------------------------------------------------------------------------

/** protobufjs's 64-bit integer (the `long` package's Long), recognised by shape. */
interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
}

function isLongLike(v: unknown): v is LongLike {
  return typeof v === "object" && v !== null && typeof (v as LongLike).low === "number" && typeof (v as LongLike).high === "number" && "unsigned" in v;
}

/**
 * A protobuf 64-bit field as a number, exact below 2^53. protobufjs gives a Long where it found
 * the `long` package (Node) and a plain number where it did not (a browser bundle), so both.
 * `signed` reads the bits as two's complement (Int64); otherwise unsigned (UInt64, DateTime, seq).
 */
export function numberFromLong(v: unknown, signed: boolean): number | null {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return null;
    return signed && v >= 2 ** 63 ? v - 2 ** 64 : v;
  }
  if (isLongLike(v)) return (signed ? v.high | 0 : v.high >>> 0) * 2 ** 32 + (v.low >>> 0);
  return null;
}

/** An alias (uint64) as a decimal string, exact even past 2^53. */
function aliasKey(v: unknown): string | null {
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? String(v) : null;
  if (isLongLike(v)) return ((BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0)).toString();
  return null;
}

/** A field the message itself carries: decoded protobufjs messages keep the defaults on the prototype. */
function own<T extends object, K extends keyof T>(o: T, k: K): NonNullable<T[K]> | undefined {
  if (!Object.hasOwn(o, k)) return undefined;
  const v = o[k];
  return v === null || v === undefined ? undefined : (v as NonNullable<T[K]>);
}

interface DecodedPayload {
  timestamp: number | null;
  seq: number | null;
  metrics: RawMetric[];
  compressed: boolean;
}

function decodePayload(bytes: Uint8Array): DecodedPayload | { error: string } {
  try {
    const p = ProtoPayload.decode(bytes);
    const seq = own(p, "seq");
    const ts = own(p, "timestamp");
    return {
      timestamp: ts === undefined ? null : numberFromLong(ts, false),
      seq: seq === undefined ? null : numberFromLong(seq, false),
      metrics: own(p, "metrics") ?? [],
      compressed: own(p, "uuid") === COMPRESSED_UUID,
    };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** A value this convention does not decode (arrays, DataSet, Template, …), by kind. */
interface Unsupported {
  unsupported: SkippedKind;
}
type MetricValue = number | boolean | string | null | Unsupported;

const isUnsupported = (v: MetricValue): v is Unsupported => typeof v === "object" && v !== null;

/** uint32 or uint64, whichever the sender used (Tahu's JS puts UInt32 in long_value, the spec in int_value). */
function integerField(m: RawMetric, signed64: boolean): number | null {
  const i = own(m, "intValue");
  if (i !== undefined) return i;
  const l = own(m, "longValue");
  return l === undefined ? null : numberFromLong(l, signed64);
}

const mapNumber = (n: number | null, f: (x: number) => number) => (n === null ? null : f(n));

/**
 * The metric's value read by its datatype. Int8/16/32 travel as uint32, so they are
 * sign-extended from their own width, which reads both a full two's-complement uint32 and a
 * sender that only wrote the low bits (Datatype Details).
 */
function metricValue(m: RawMetric, datatype: number): MetricValue {
  if (own(m, "isNull") === true) return null;
  switch (datatype) {
    case DT.Int8: return mapNumber(integerField(m, false), (x) => (x << 24) >> 24);
    case DT.Int16: return mapNumber(integerField(m, false), (x) => (x << 16) >> 16);
    case DT.Int32: return mapNumber(integerField(m, false), (x) => x | 0);
    case DT.UInt8: return mapNumber(integerField(m, false), (x) => x & 0xff);
    case DT.UInt16: return mapNumber(integerField(m, false), (x) => x & 0xffff);
    case DT.UInt32: return mapNumber(integerField(m, false), (x) => x >>> 0);
    case DT.Int64: return integerField(m, true);
    case DT.UInt64:
    case DT.DateTime: return integerField(m, false);
    case DT.Float: return mapNumber(own(m, "floatValue") ?? own(m, "doubleValue") ?? null, shortestFloat32);
    case DT.Double: return own(m, "doubleValue") ?? own(m, "floatValue") ?? null;
    case DT.Boolean: return own(m, "booleanValue") ?? null;
    case DT.String:
    case DT.Text:
    case DT.UUID: return own(m, "stringValue") ?? null;
    case DT.DataSet: return { unsupported: "dataset" };
    case DT.Bytes:
    case DT.File: return { unsupported: "bytes" };
    case DT.Template: return { unsupported: "template" };
    case DT.PropertySet:
    case DT.PropertySetList: return { unsupported: "propertyset" };
    default: return datatype >= DT.FirstArray && datatype <= DT.LastArray ? { unsupported: "array" } : { unsupported: "unknown_datatype" };
  }
}

/** A float32 as the shortest decimal that is the same float32 (12.1, not 12.100000381469727). */
function shortestFloat32(v: number): number {
  if (!Number.isFinite(v)) return v;
  for (let p = 1; p <= 9; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === Math.fround(v)) return d;
  }
  return v;
}

/** A BIRTH metric without its MUST datatype: the type its value field implies. */
function inferDatatype(m: RawMetric): number {
  if (own(m, "booleanValue") !== undefined) return DT.Boolean;
  if (own(m, "stringValue") !== undefined) return DT.String;
  if (own(m, "doubleValue") !== undefined) return DT.Double;
  if (own(m, "floatValue") !== undefined) return DT.Float;
  if (own(m, "longValue") !== undefined) return DT.Int64;
  if (own(m, "intValue") !== undefined) return DT.Int32;
  return 0;
}

const NUMERIC_DATATYPES = new Set<number>([DT.Int8, DT.Int16, DT.Int32, DT.Int64, DT.UInt8, DT.UInt16, DT.UInt32, DT.UInt64, DT.Float, DT.Double, DT.Boolean]);

/** A chartable number: numeric datatypes, Boolean as 1/0; DateTime and strings are not. */
function measurementValue(datatype: number, v: MetricValue): number | null {
  if (!NUMERIC_DATATYPES.has(datatype)) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function propertyString(props: RawPropertySet | undefined, keys: readonly string[]): string | undefined {
  const names = props?.keys ?? [];
  const values = props?.values ?? [];
  for (const key of keys) {
    const i = names.indexOf(key);
    const pv = i >= 0 ? values[i] : undefined;
    const s = pv ? own(pv, "stringValue") : undefined;
    if (s !== undefined && s.trim() !== "") return s.trim().slice(0, MAX_UNIT_LENGTH);
  }
  return undefined;
}

/** Not in the spec: honoured when an edge node says so (`readOnly: true` or `writable: false`). */
function readOnlyOf(props: RawPropertySet | undefined): boolean {
  const names = props?.keys ?? [];
  const values = props?.values ?? [];
  const flag = (key: string) => {
    const i = names.indexOf(key);
    const pv = i >= 0 ? values[i] : undefined;
    return pv ? own(pv, "booleanValue") : undefined;
  };
  return flag("readOnly") === true || flag("ReadOnly") === true || flag("writable") === false || flag("Writable") === false;
}

/** Bookkeeping, not telemetry: bdSeq and the reserved folders (Sparkplug_6_Payloads: NBIRTH). */
const isBookkeeping = (name: string) => name === BDSEQ_METRIC || name.startsWith("Node Control/") || name.startsWith("Properties/");

/** A name safe as a record key and within bounds (`__proto__` would set a prototype). */
const acceptableName = (name: string) => name.length > 0 && name.length <= MAX_NAME_LENGTH && name !== "__proto__";

// ---------------------------------------------------------------------------------------------
// Reading a BIRTH
// ---------------------------------------------------------------------------------------------

interface BirthReading {
  table: MetricTable;
  measurements: Record<string, Measurement>;
  bdSeq: number | null;
  hasRebirth: boolean;
  maker?: string;
  model?: string;
  /** Said when metrics past a bound were refused. */
  problem?: string;
}

function readBirth(state: SparkplugState, m: Inbound, metrics: RawMetric[], room: number, verb: "NBIRTH" | "DBIRTH"): BirthReading {
  const out: BirthReading = { table: emptyTable(), measurements: {}, bdSeq: null, hasRebirth: false };
  const limit = Math.min(room, MAX_METRICS_PER_BIRTH);
  for (const raw of metrics) {
    const name = own(raw, "name");
    if (name === undefined) {
      forgive(state, "birth_metric_without_name");
      continue;
    }
    if (!acceptableName(name)) {
      skip(state, "unsafe_name");
      continue;
    }
    if (out.table.byName.has(name)) {
      forgive(state, "duplicate_name");
      continue;
    }
    if (out.table.byName.size >= limit) {
      out.table.truncated = true;
      continue;
    }
    const def = learnDef(state, raw, name, out.table);
    readBirthValue(state, m, raw, def, out);
  }
  if (out.table.truncated) out.problem = `${verb} has more metrics than can be kept (${limit}: MAX_METRICS_PER_BIRTH ${MAX_METRICS_PER_BIRTH}, MAX_METRICS_TOTAL ${MAX_METRICS_TOTAL}); the rest are not read`;
  return out;
}

function learnDef(state: SparkplugState, raw: RawMetric, name: string, table: MetricTable): MetricDef {
  let datatype = own(raw, "datatype");
  if (datatype === undefined) {
    forgive(state, "birth_metric_without_datatype");
    datatype = inferDatatype(raw);
  }
  const aliasRaw = own(raw, "alias");
  let alias = aliasRaw === undefined ? null : aliasKey(aliasRaw);
  if (alias !== null && table.byAlias.has(alias)) {
    forgive(state, "duplicate_alias");
    alias = null;
  }
  const def: MetricDef = { name, alias, datatype };
  const unit = propertyString(own(raw, "properties"), UNIT_KEYS);
  if (unit !== undefined) def.unit = unit;
  if (readOnlyOf(own(raw, "properties"))) def.readOnly = true;
  table.byName.set(name, def);
  if (alias !== null) table.byAlias.set(alias, def);
  return def;
}

function readBirthValue(state: SparkplugState, m: Inbound, raw: RawMetric, def: MetricDef, out: BirthReading): void {
  const value = metricValue(raw, def.datatype);
  if (isUnsupported(value)) return skip(state, value.unsupported);
  if (def.name === BDSEQ_METRIC) {
    // 3.0 says Int64; Tahu's JS client and the spec's own older NDEATH example say UInt64.
    if (def.datatype !== DT.Int64) forgive(state, "bdseq_datatype");
    out.bdSeq = typeof value === "number" && Number.isSafeInteger(value) ? value : null;
    return;
  }
  if (def.name === REBIRTH_METRIC) {
    out.hasRebirth = true;
    if (def.alias !== null) forgive(state, "rebirth_alias");
    return;
  }
  if (def.name === "Properties/Hardware Make" && typeof value === "string") out.maker = value.slice(0, 128);
  if (def.name === "Properties/Hardware Model" && typeof value === "string") out.model = value.slice(0, 128);
  if (isBookkeeping(def.name)) return;
  const n = measurementValue(def.datatype, value);
  if (n !== null) out.measurements[def.name] = measurement(n, def, m.topic);
}

function measurement(value: number, def: MetricDef | undefined, topic: string): Measurement {
  return def?.unit === undefined ? { value, topic } : { value, unit: def.unit, topic };
}

const tableSize = (t: MetricTable) => t.byName.size;

// ---------------------------------------------------------------------------------------------
// Commands (what a BIRTH says the edge node or device accepts)
// ---------------------------------------------------------------------------------------------

type ArgType = ArgsJsonSchema["properties"][string]["type"];

const INTEGER_RANGES: Record<number, [number, number]> = {
  [DT.Int8]: [-128, 127],
  [DT.Int16]: [-32768, 32767],
  [DT.Int32]: [-(2 ** 31), 2 ** 31 - 1],
  [DT.Int64]: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  [DT.UInt8]: [0, 255],
  [DT.UInt16]: [0, 65535],
  [DT.UInt32]: [0, 2 ** 32 - 1],
  [DT.UInt64]: [0, Number.MAX_SAFE_INTEGER],
};

const TYPE_NAMES: Record<number, TypeStr> = {
  [DT.Int8]: "Int8", [DT.Int16]: "Int16", [DT.Int32]: "Int32", [DT.Int64]: "Int64",
  [DT.UInt8]: "UInt8", [DT.UInt16]: "UInt16", [DT.UInt32]: "UInt32", [DT.UInt64]: "UInt64",
  [DT.Float]: "Float", [DT.Double]: "Double", [DT.Boolean]: "Boolean", [DT.String]: "String",
  [DT.Text]: "Text", [DT.UUID]: "UUID",
};

/** The JSON type a command value of this datatype takes; null: not writable from here. */
function argTypeOf(datatype: number): ArgType | null {
  if (INTEGER_RANGES[datatype]) return "integer";
  if (datatype === DT.Float || datatype === DT.Double) return "number";
  if (datatype === DT.Boolean) return "boolean";
  if (datatype === DT.String || datatype === DT.Text || datatype === DT.UUID) return "string";
  return null;
}

function valueCommand(def: MetricDef, topic: string): CommandFact | null {
  const type = argTypeOf(def.datatype);
  if (type === null) return null;
  const prop: ArgsJsonSchema["properties"][string] = { type, description: `${TYPE_NAMES[def.datatype]}${def.unit ? `, ${def.unit}` : ""}` };
  const range = INTEGER_RANGES[def.datatype];
  if (range) [prop.minimum, prop.maximum] = range;
  return {
    name: def.name,
    description: `Write ${def.name}`,
    args: { type: "object", properties: { value: prop }, required: ["value"], additionalProperties: false },
    topic,
    confirm: "echo",
  };
}

function rebirthCommand(group: string, edge: string): CommandFact {
  return {
    name: REBIRTH_METRIC,
    description: "Ask the edge node to publish its NBIRTH and DBIRTHs again",
    args: { type: "object", properties: {}, additionalProperties: false },
    topic: sparkplugTopic(group, "NCMD", edge),
    confirm: "echo",
  };
}

/**
 * Every metric of a BIRTH becomes a command, except bookkeeping and what says it is read-only:
 * Sparkplug has no writable flag, and a host may write any metric by name
 * [tck-id-operational-behavior-data-commands-ncmd-metric-name].
 */
function commandsOf(table: MetricTable, topic: string, rebirth: CommandFact | null): CommandFact[] {
  const out: CommandFact[] = rebirth ? [rebirth] : [];
  for (const def of table.byName.values()) {
    if (out.length >= MAX_COMMANDS_PER_DEVICE) break;
    if (isBookkeeping(def.name) || def.readOnly) continue;
    const c = valueCommand(def, topic);
    if (c) out.push(c);
  }
  return out;
}

/** The argument as the metric's datatype takes it; throws saying what is wrong. */
function commandValue(datatype: number, raw: unknown): number | boolean | string {
  const type = TYPE_NAMES[datatype];
  const range = INTEGER_RANGES[datatype];
  if (range) {
    const n = numberOf(raw);
    if (n === null || !Number.isInteger(n) || n < range[0] || n > range[1]) throw new Error(`value must be an integer from ${range[0]} to ${range[1]} (${type})`);
    return n;
  }
  if (datatype === DT.Float || datatype === DT.Double) {
    const n = numberOf(raw);
    const max = datatype === DT.Float ? 3.4028234663852886e38 : Number.MAX_VALUE;
    if (n === null || Math.abs(n) > max) throw new Error(`value must be a finite number (${type})`);
    return n;
  }
  if (datatype === DT.Boolean) {
    if (typeof raw !== "boolean") throw new Error("value must be true or false (Boolean)");
    return raw;
  }
  if (datatype === DT.String || datatype === DT.Text || datatype === DT.UUID) {
    if (typeof raw !== "string" || raw.length > MAX_COMMAND_STRING_LENGTH) throw new Error(`value must be a string of at most ${MAX_COMMAND_STRING_LENGTH} characters (${type})`);
    return raw;
  }
  throw new Error(`metrics of datatype ${datatype} cannot be written from here`);
}

// ---------------------------------------------------------------------------------------------
// Interpreting one message
// ---------------------------------------------------------------------------------------------

/** What one handler needs: the message, its topic, its payload, and the state. */
interface Ctx {
  m: Inbound;
  t: SparkplugTopic;
  d: DecodedPayload;
  state: SparkplugState;
  out: Interpretation;
}

function baseFacts(id: DeviceId, name: string, group: string, m: Inbound): DeviceFacts {
  // A retained replay says what the device was, not that it spoke now.
  return { id, convention: "sparkplug", name, group, seen: !m.retain };
}

/** The edge node's own fact in this interpretation, added when a device message needs one. */
function edgeFact(c: Ctx, node: EdgeNodeState): DeviceFacts {
  let f = c.out.facts.find((x) => x.id === node.id);
  if (!f) {
    f = baseFacts(node.id, node.edge, node.group, c.m);
    c.out.facts.push(f);
  }
  return f;
}

function addEvent(f: DeviceFacts, e: DeviceEventFact): void {
  (f.events ??= []).push(e);
}

/**
 * A rebirth request, at most one per edge node per REBIRTH_MIN_INTERVAL_MS: a host that lost
 * track asks once and waits for the BIRTHs rather than flooding a struggling edge node
 * [tck-id-operational-behavior-host-reordering-rebirth]. A replay (retained) asks nothing.
 */
function askRebirth(c: Ctx, node: EdgeNodeState, why: string): void {
  if (c.m.retain) return;
  const since = node.lastRebirthAt === null ? null : c.m.ts - node.lastRebirthAt;
  // A clock that went back (negative) does not hold a request back forever.
  if (since !== null && since >= 0 && since < REBIRTH_MIN_INTERVAL_MS) {
    c.state.rebirths.suppressed++;
    return;
  }
  node.lastRebirthAt = c.m.ts;
  c.state.rebirths.requested++;
  (c.out.publish ??= []).push(rebirthRequest(node.group, node.edge, c.m.ts));
  const f = edgeFact(c, node);
  addEvent(f, { kind: "log", level: "notice", text: `Rebirth requested: ${why}` });
  // A node only heard in DATA: say what it waits for, not just "unknown".
  if (node.session === "none") f.liveness = { status: "unknown", reason: "no BIRTH seen yet: rebirth requested", since: c.m.ts };
}

/**
 * The edge node's one counter, shared by NBIRTH, NDATA, DBIRTH, DDATA and DDEATH
 * [tck-id-payloads-ndata-seq-inc] [tck-id-payloads-ddeath-seq-inc]: a counter per topic would
 * see gaps that are not there. An NBIRTH starts it afresh [tck-id-payloads-nbirth-seq].
 */
function trackSeq(c: Ctx, node: EdgeNodeState): void {
  if (c.m.retain) return;
  const seq = c.d.seq;
  if (seq === null) return forgive(c.state, "missing_seq");
  if (!Number.isInteger(seq) || seq >= SEQ_MODULO) return forgive(c.state, "seq_out_of_range");
  c.out.seq = c.t.verb === "NBIRTH" ? { value: seq, stream: node.id, modulo: SEQ_MODULO, restart: true } : { value: seq, stream: node.id, modulo: SEQ_MODULO };
  const prev = node.lastSeq;
  node.lastSeq = seq;
  if (c.t.verb === "NBIRTH" || prev === null) return;
  if (seq === prev) return forgive(c.state, "repeated_seq");
  if (seq !== (prev + 1) % SEQ_MODULO) askRebirth(c, node, `seq ${prev} then ${seq}`);
}

const sessionKnown = (node: EdgeNodeState) => node.session === "born" || node.session === "restored";

function refuse(c: Ctx, problem: string): Interpretation {
  return { device: c.out.device, facts: [], problem };
}

function ensureNode(state: SparkplugState, t: SparkplugTopic): EdgeNodeState | null {
  const key = nodeKey(t.group, t.edge);
  const known = state.nodes.get(key);
  if (known) return known;
  if (state.nodes.size >= MAX_EDGE_NODES) return null;
  const node: EdgeNodeState = { group: t.group, edge: t.edge, id: edgeNodeDeviceId(t.group, t.edge), session: "none", bdSeq: null, metrics: emptyTable(), devices: new Map(), lastSeq: null, lastRebirthAt: null };
  state.nodes.set(key, node);
  return node;
}

function ensureDevice(node: EdgeNodeState, device: string): DeviceState | null {
  const known = node.devices.get(device);
  if (known) return known;
  if (node.devices.size >= MAX_DEVICES_PER_EDGE) return null;
  const d: DeviceState = { device, id: sparkplugDeviceId(node.group, node.edge, device), born: false, metrics: emptyTable() };
  node.devices.set(device, d);
  return d;
}

const REFUSE_NODE = `more than MAX_EDGE_NODES (${MAX_EDGE_NODES}) edge nodes: this one is not read`;
const REFUSE_DEVICE = `more than MAX_DEVICES_PER_EDGE (${MAX_DEVICES_PER_EDGE}) devices on this edge node: this one is not read`;

function onNodeBirth(c: Ctx): Interpretation {
  const node = ensureNode(c.state, c.t);
  if (!node) return refuse(c, REFUSE_NODE);
  // A new session: its DBIRTHs follow and may reassign aliases, so the devices' tables go.
  let old = tableSize(node.metrics);
  for (const dev of node.devices.values()) old += tableSize(dev.metrics);
  const reading = readBirth(c.state, c.m, c.d.metrics, MAX_METRICS_TOTAL - (c.state.metricCount - old), "NBIRTH");
  for (const dev of node.devices.values()) {
    dev.metrics = emptyTable();
    dev.born = false;
  }
  c.state.metricCount += tableSize(reading.table) - old;
  node.metrics = reading.table;
  node.session = "born";
  node.bdSeq = reading.bdSeq;
  if (reading.bdSeq === null) forgive(c.state, "nbirth_without_bdseq");
  trackSeq(c, node);
  const f = edgeFact(c, node);
  const reason = reading.bdSeq === null ? "NBIRTH" : `NBIRTH bdSeq ${reading.bdSeq}`;
  f.liveness = { status: "online", reason: c.m.retain ? `${reason} (retained)` : reason, since: c.m.ts };
  f.measurements = reading.measurements;
  f.commands = commandsOf(reading.table, sparkplugTopic(node.group, "NCMD", node.edge), reading.hasRebirth ? rebirthCommand(node.group, node.edge) : null);
  if (reading.maker) f.maker = reading.maker;
  if (reading.model) f.model = reading.model;
  if (reading.problem) c.out.problem = reading.problem;
  return c.out;
}

function onDeviceBirth(c: Ctx, device: string): Interpretation {
  const node = ensureNode(c.state, c.t);
  if (!node) return refuse(c, REFUSE_NODE);
  const dev = ensureDevice(node, device);
  if (!dev) return refuse(c, REFUSE_DEVICE);
  const old = tableSize(dev.metrics);
  const reading = readBirth(c.state, c.m, c.d.metrics, MAX_METRICS_TOTAL - (c.state.metricCount - old), "DBIRTH");
  c.state.metricCount += tableSize(reading.table) - old;
  dev.metrics = reading.table;
  dev.born = true;
  trackSeq(c, node);
  // A host that started after the NBIRTH (QoS 0, never retained) cannot know the session.
  if (!sessionKnown(node)) askRebirth(c, node, "DBIRTH without an NBIRTH seen");
  const f = baseFacts(dev.id, device, node.group, c.m);
  c.out.facts.unshift(f);
  const reason = node.bdSeq === null ? "DBIRTH" : `DBIRTH (bdSeq ${node.bdSeq})`;
  f.liveness = { status: "online", reason: c.m.retain ? `${reason} (retained)` : reason, since: c.m.ts };
  f.measurements = reading.measurements;
  f.commands = commandsOf(reading.table, sparkplugTopic(node.group, "DCMD", node.edge, device), null);
  if (reading.maker) f.maker = reading.maker;
  if (reading.model) f.model = reading.model;
  if (reading.problem) c.out.problem = reading.problem;
  return c.out;
}

/** A DATA metric's definition: by alias, or by name when the edge node sends names. */
function resolve(table: MetricTable, raw: RawMetric): { def: MetricDef | undefined; alias: string | null; name: string | null } {
  const aliasRaw = own(raw, "alias");
  const alias = aliasRaw === undefined ? null : aliasKey(aliasRaw);
  const name = own(raw, "name") ?? null;
  const def = (alias !== null ? table.byAlias.get(alias) : undefined) ?? (name !== null ? table.byName.get(name) : undefined);
  return { def, alias, name };
}

function readData(c: Ctx, table: MetricTable): { measurements: Record<string, Measurement>; unknownAliases: string[]; unknownNames: number } {
  const measurements: Record<string, Measurement> = {};
  const unknownAliases: string[] = [];
  let unknownNames = 0;
  for (const raw of c.d.metrics) {
    const { def, alias, name } = resolve(table, raw);
    const metricName = def?.name ?? name;
    if (metricName === null) {
      if (alias !== null) unknownAliases.push(alias);
      continue;
    }
    if (!def) unknownNames++;
    if (!acceptableName(metricName)) {
      skip(c.state, "unsafe_name");
      continue;
    }
    // Historical values are not the current one (Sparkplug_6_Payloads: Metric, is_historical).
    if (own(raw, "isHistorical") === true) {
      skip(c.state, "historical");
      continue;
    }
    const datatype = own(raw, "datatype") ?? def?.datatype;
    if (datatype === undefined) {
      skip(c.state, "no_datatype");
      continue;
    }
    const value = metricValue(raw, datatype);
    if (isUnsupported(value)) {
      skip(c.state, value.unsupported);
      continue;
    }
    if (isBookkeeping(metricName)) continue;
    const n = measurementValue(datatype, value);
    if (n !== null) measurements[metricName] = measurement(n, def, c.m.topic);
  }
  return { measurements, unknownAliases, unknownNames };
}

function onData(c: Ctx, device: string | null): Interpretation {
  const node = ensureNode(c.state, c.t);
  if (!node) return refuse(c, REFUSE_NODE);
  const dev = device === null ? null : ensureDevice(node, device);
  if (device !== null && !dev) return refuse(c, REFUSE_DEVICE);
  const table = dev ? dev.metrics : node.metrics;
  trackSeq(c, node);
  if (!sessionKnown(node)) askRebirth(c, node, `${c.t.verb} without an NBIRTH seen`);
  else if (dev && !dev.born) askRebirth(c, node, `DDATA without a DBIRTH seen for ${dev.device}`);
  const r = readData(c, table);
  const f = dev ? baseFacts(dev.id, dev.device, node.group, c.m) : edgeFact(c, node);
  if (dev) c.out.facts.unshift(f);
  f.measurements = r.measurements;
  // Unknown names only say something against a BIRTH this host read (else the rebirth is asked already).
  if (r.unknownNames > 0 && sessionKnown(node) && (!dev || dev.born)) {
    forgive(c.state, "metric_not_in_birth");
    askRebirth(c, node, `${c.t.verb} with a metric the BIRTH did not name`);
  }
  if (r.unknownAliases.length > 0) {
    const shown = r.unknownAliases.slice(0, 5).join(", ");
    c.out.problem = `unknown alias ${shown}${r.unknownAliases.length > 5 ? ", …" : ""} (not in the BIRTH this host read)`;
    // A table cut at our bound is our gap, not the edge node's: asking would only repeat.
    if (!table.truncated) askRebirth(c, node, `unknown alias ${shown}`);
  }
  return c.out;
}

/** The bdSeq an NDEATH carries, forgiving the datatypes real edge nodes use. */
function deathBdSeq(c: Ctx, count: boolean): number | null {
  for (const raw of c.d.metrics) {
    if (own(raw, "name") !== BDSEQ_METRIC) continue;
    const datatype = own(raw, "datatype") ?? DT.Int64;
    if (count && datatype !== DT.Int64) forgive(c.state, "bdseq_datatype");
    const v = metricValue(raw, datatype);
    return typeof v === "number" && Number.isSafeInteger(v) ? v : null;
  }
  return null;
}

/**
 * NDEATH: the edge node and all its devices go offline
 * [tck-id-operational-behavior-edge-node-termination-host-action-ndeath-node-offline]
 * [tck-id-operational-behavior-edge-node-termination-host-action-ndeath-devices-offline] —
 * unless its bdSeq is not the current session's: a Will of an earlier connection, delivered
 * after the new NBIRTH, must not kill the live session [tck-id-payloads-ndeath-bdseq].
 */
function onNodeDeath(c: Ctx): Interpretation {
  if (c.d.seq !== null) forgive(c.state, "ndeath_seq");
  const bd = deathBdSeq(c, true);
  if (bd === null) forgive(c.state, "ndeath_without_bdseq");
  const node = c.state.nodes.get(nodeKey(c.t.group, c.t.edge));
  if (node && node.bdSeq !== null && bd !== null && bd !== node.bdSeq) {
    forgive(c.state, "stale_ndeath");
    return c.out;
  }
  const base = bd === null ? "NDEATH" : `NDEATH bdSeq ${bd}`;
  const reason = c.m.retain ? `${base} (retained)` : base;
  const liveness = { status: "offline" as const, reason, since: c.m.ts };
  const id = edgeNodeDeviceId(c.t.group, c.t.edge);
  c.out.facts.push({ ...baseFacts(id, c.t.edge, c.t.group, c.m), liveness });
  if (!node) return c.out;
  node.session = "dead";
  node.lastSeq = null;
  for (const dev of node.devices.values()) {
    dev.born = false;
    c.out.facts.push({ ...baseFacts(dev.id, dev.device, node.group, c.m), liveness: { ...liveness } });
  }
  return c.out;
}

function onDeviceDeath(c: Ctx, device: string): Interpretation {
  const node = ensureNode(c.state, c.t);
  if (!node) return refuse(c, REFUSE_NODE);
  trackSeq(c, node);
  if (!sessionKnown(node)) askRebirth(c, node, "DDEATH without an NBIRTH seen");
  const dev = node.devices.get(device);
  // Same session, so its table stays (a late DDATA still resolves), but a DBIRTH must come first.
  if (dev) dev.born = false;
  const id = sparkplugDeviceId(node.group, node.edge, device);
  const reason = c.m.retain ? "DDEATH (retained)" : "DDEATH";
  c.out.facts.unshift({ ...baseFacts(id, device, node.group, c.m), liveness: { status: "offline", reason, since: c.m.ts } });
  return c.out;
}

/** Hosts, not devices: read so a broken STATE is said, with no facts. */
function onState(m: Inbound, version: "3.0" | "2.x"): Interpretation {
  const out: Interpretation = { device: null, facts: [] };
  if (version === "3.0") {
    const o = jsonObjectOf(m.text);
    if (!o || typeof o.online !== "boolean" || typeof o.timestamp !== "number") out.problem = 'STATE payload is not {"online": bool, "timestamp": ms} [tck-id-host-topic-phid-birth-payload]';
  } else {
    const s = m.text?.trim();
    if (s !== "ONLINE" && s !== "OFFLINE") out.problem = "STATE payload is neither ONLINE nor OFFLINE (Sparkplug 2.x)";
  }
  return out;
}

function interpret(m: Inbound, state: SparkplugState): Interpretation | null {
  state.lastTs = m.ts;
  const host = parseStateTopic(m.topic);
  if (host) return onState(m, host.version);
  if (!m.topic.startsWith(`${SPARKPLUG_NAMESPACE}/`)) return null;
  const t = parseSparkplugTopic(m.topic);
  if (!t) return { device: null, facts: [], problem: "not a Sparkplug B topic (spBv1.0/<group>/<verb>/<edge node>[/<device>])" };
  const device = t.device === null ? edgeNodeDeviceId(t.group, t.edge) : sparkplugDeviceId(t.group, t.edge, t.device);
  if (!validId(t.group) || !validId(t.edge) || (t.device !== null && !validId(t.device))) return { device, facts: [], problem: `a Sparkplug id is longer than MAX_ID_LENGTH (${MAX_ID_LENGTH})` };
  // Commands are ours or another host's: attributed to their target, read by the command service.
  if (t.verb === "NCMD" || t.verb === "DCMD") return { device, facts: [] };
  const d = decodePayload(m.payload);
  if ("error" in d) return { device, facts: [], problem: `not a Sparkplug B payload: ${d.error}` };
  if (d.compressed) return { device, facts: [], problem: "compressed Sparkplug payload (SPBV1.0_COMPRESSED) is not decoded" };
  if (m.retain) forgive(state, "retained");
  const c: Ctx = { m, t, d, state, out: { device, facts: [] } };
  return dispatch(c);
}

function dispatch(c: Ctx): Interpretation {
  const device = c.t.device;
  switch (c.t.verb) {
    case "NBIRTH": return onNodeBirth(c);
    case "NDEATH": return onNodeDeath(c);
    case "NDATA": return onData(c, null);
    case "DBIRTH": return onDeviceBirth(c, device ?? "");
    case "DDATA": return onData(c, device);
    case "DDEATH": return onDeviceDeath(c, device ?? "");
    default: return c.out;
  }
}

// ---------------------------------------------------------------------------------------------
// Commands: encode and confirm
// ---------------------------------------------------------------------------------------------

const dataVerbOf = (cmd: SparkplugVerb): SparkplugVerb => (cmd === "NCMD" ? "NDATA" : "DDATA");
const birthOf = (verb: SparkplugVerb): SparkplugVerb | null => (verb === "NDATA" ? "NBIRTH" : verb === "DDATA" ? "DBIRTH" : verb === "NBIRTH" ? "NBIRTH" : null);

function tableFor(state: SparkplugState, t: SparkplugTopic): MetricTable | null {
  const node = state.nodes.get(nodeKey(t.group, t.edge));
  if (!node) return null;
  if (t.device === null) return node.metrics;
  return node.devices.get(t.device)?.metrics ?? null;
}

/**
 * The NCMD/DCMD writing one metric by name, and the DATA echo that confirms it: an edge node
 * reports the written value back in NDATA/DDATA (Sparkplug_6_Payloads: DCMD; Tahu's examples).
 * The payload timestamp is MUST [tck-id-topics-dcmd-timestamp], but encodeCommand is given no
 * time: the last message time read stands in for it.
 */
function encodeCommand(device: DeviceFacts, command: CommandFact, args: Record<string, unknown>, _id: string, state: SparkplugState): { request: Outbound; expect: Expectation } {
  const t = parseSparkplugTopic(command.topic);
  if (!t || (t.verb !== "NCMD" && t.verb !== "DCMD")) throw new Error(`${command.topic} is not a Sparkplug NCMD/DCMD topic`);
  const target = t.device === null ? edgeNodeDeviceId(t.group, t.edge) : sparkplugDeviceId(t.group, t.edge, t.device);
  if (command.name === REBIRTH_METRIC && t.verb === "NCMD") {
    if (target !== device.id) throw new Error("the command's topic is not this device's");
    const request = rebirthRequest(t.group, t.edge, state.lastTs ?? 0);
    // The NBIRTH that answers carries Rebirth = false [tck-id-operational-behavior-data-commands-rebirth-value].
    return { request, expect: { kind: "echo", topic: sparkplugTopic(t.group, "NBIRTH", t.edge), path: [REBIRTH_METRIC], value: false } };
  }
  if (target !== device.id) throw new Error("the command's topic is not this device's");
  const def = tableFor(state, t)?.byName.get(command.name);
  if (!def) throw new Error(`${command.name} is not a metric of the BIRTH this host read; ask a rebirth first`);
  const type = TYPE_NAMES[def.datatype];
  if (type === undefined) throw new Error(`metrics of datatype ${def.datatype} cannot be written from here`);
  const value = commandValue(def.datatype, args.value);
  const metric: UMetric = { name: def.name, type, value };
  const payload: UPayload = state.lastTs === null ? { metrics: [metric] } : { timestamp: state.lastTs, metrics: [metric] };
  const request: Outbound = { topic: command.topic, payload: codec.encodePayload(payload), qos: 0, retain: false };
  return { request, expect: { kind: "echo", topic: sparkplugTopic(t.group, dataVerbOf(t.verb), t.edge, t.device), path: [def.name], value } };
}

function sameValue(actual: number | boolean | string, expected: number | boolean | string): boolean {
  if (typeof expected === "number") {
    const a = typeof actual === "boolean" ? (actual ? 1 : 0) : actual;
    // Float metrics come back as float32: equal within its precision.
    return typeof a === "number" && (a === expected || Math.abs(a - expected) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(expected)));
  }
  if (typeof expected === "boolean") return actual === expected || actual === (expected ? 1 : 0);
  return actual === expected;
}

/** Whether the command's target died before echoing: then it will not. */
function deathSettles(c: Ctx, want: SparkplugTopic): { ok: false; error: string } | null {
  if (c.t.verb === "DDEATH" && want.device !== null && c.t.device === want.device) return { ok: false, error: "the device went offline (DDEATH) before confirming" };
  if (c.t.verb !== "NDEATH") return null;
  const node = c.state.nodes.get(nodeKey(c.t.group, c.t.edge));
  const bd = deathBdSeq(c, false); // confirms only looks: nothing is counted twice
  if (node && node.bdSeq !== null && bd !== null && bd !== node.bdSeq) return null;
  return { ok: false, error: `the edge node went offline (${bd === null ? "NDEATH" : `NDEATH bdSeq ${bd}`}) before confirming` };
}

function confirms(expect: Expectation, msg: Inbound, state: SparkplugState): { ok: true; result?: unknown } | { ok: false; error: string } | null {
  if (expect.kind !== "echo" || expect.path.length !== 1) return null;
  const want = parseSparkplugTopic(expect.topic);
  const got = parseSparkplugTopic(msg.topic);
  if (!want || !got || want.group !== got.group || want.edge !== got.edge) return null;
  const d = decodePayload(msg.payload);
  if ("error" in d || d.compressed) return null;
  const c: Ctx = { m: msg, t: got, d, state, out: { device: null, facts: [] } };
  const death = deathSettles(c, want);
  if (death) return death;
  // The DATA echo, or a BIRTH that carries the new value (a rebirth in between).
  if (got.device !== want.device || (got.verb !== want.verb && got.verb !== birthOf(want.verb))) return null;
  const table = tableFor(state, got) ?? emptyTable();
  for (const raw of d.metrics) {
    const { def, name } = resolve(table, raw);
    if ((def?.name ?? name) !== expect.path[0]) continue;
    const datatype = own(raw, "datatype") ?? def?.datatype;
    const v = datatype === undefined ? null : metricValue(raw, datatype);
    if (v !== null && !isUnsupported(v) && sameValue(v, expect.value)) return { ok: true, result: { value: v } };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Broker access
// ---------------------------------------------------------------------------------------------

/** An edge node registered as `<group>/<edge>`: it publishes its own topics and reads its commands. */
function deviceAccess(name: string): { publish: string[]; subscribe: string[] } {
  const parts = name.split("/");
  if (parts.length !== 2 || !validId(parts[0]!) || !validId(parts[1]!)) return { publish: [], subscribe: [] };
  const [group, edge] = parts as [string, string];
  const ns = SPARKPLUG_NAMESPACE;
  return {
    publish: [`${ns}/${group}/+/${edge}`, `${ns}/${group}/+/${edge}/#`],
    // [tck-id-message-flow-edge-node-ncmd-subscribe] [tck-id-message-flow-device-dcmd-subscribe]; STATE for its Primary Host.
    subscribe: [`${ns}/${group}/NCMD/${edge}`, `${ns}/${group}/DCMD/${edge}/#`, `${ns}/STATE/#`],
  };
}

// ---------------------------------------------------------------------------------------------
// Snapshot and restore (for a browser tab that opens after the BIRTHs)
// ---------------------------------------------------------------------------------------------

const idSchema = z.string().min(1).max(MAX_ID_LENGTH).regex(/^[^/+#]+$/);
const metricSchema = z.object({
  name: z.string().min(1).max(MAX_NAME_LENGTH).refine((n) => n !== "__proto__"),
  alias: z.string().regex(/^\d{1,20}$/).nullable(),
  datatype: z.number().int().min(0).max(DT.LastArray),
  unit: z.string().max(MAX_UNIT_LENGTH).optional(),
  readOnly: z.literal(true).optional(),
});
const tableSchema = z.array(metricSchema).max(MAX_METRICS_PER_BIRTH);
const nodeSchema = z.object({
  group: idSchema,
  edge: idSchema,
  bdSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
  online: z.boolean(),
  metrics: tableSchema,
  devices: z.array(z.object({ device: idSchema, metrics: tableSchema })).max(MAX_DEVICES_PER_EDGE),
});
const snapshotSchema = z.object({ version: z.literal(1), nodes: z.array(nodeSchema).max(MAX_EDGE_NODES) });

export type SparkplugSnapshot = z.infer<typeof snapshotSchema>;
type MetricSnapshot = z.infer<typeof metricSchema>;

function tableSnapshot(t: MetricTable): MetricSnapshot[] {
  return [...t.byName.values()].map((d) => {
    const s: MetricSnapshot = { name: d.name, alias: d.alias, datatype: d.datatype };
    if (d.unit !== undefined) s.unit = d.unit;
    if (d.readOnly) s.readOnly = true;
    return s;
  });
}

/** The learned tables and each session's bdSeq, as bounded JSON (every collection is bounded already). */
export function snapshotSparkplug(state: SparkplugState): SparkplugSnapshot {
  const nodes: SparkplugSnapshot["nodes"] = [];
  for (const n of state.nodes.values()) {
    const devices = [...n.devices.values()].filter((d) => tableSize(d.metrics) > 0).map((d) => ({ device: d.device, metrics: tableSnapshot(d.metrics) }));
    if (tableSize(n.metrics) === 0 && devices.length === 0) continue;
    nodes.push({ group: n.group, edge: n.edge, bdSeq: n.bdSeq, online: sessionKnown(n), metrics: tableSnapshot(n.metrics), devices });
  }
  return { version: 1, nodes };
}

function tableFrom(metrics: MetricSnapshot[], room: number): MetricTable {
  const t = emptyTable();
  for (const s of metrics) {
    if (t.byName.size >= room) {
      t.truncated = true;
      break;
    }
    if (t.byName.has(s.name) || (s.alias !== null && t.byAlias.has(s.alias))) continue;
    const def: MetricDef = { name: s.name, alias: s.alias, datatype: s.datatype };
    if (s.unit !== undefined) def.unit = s.unit;
    if (s.readOnly) def.readOnly = true;
    t.byName.set(s.name, def);
    if (s.alias !== null) t.byAlias.set(s.alias, def);
  }
  return t;
}

/**
 * Takes a snapshot back in. It crossed HTTP, so it is validated whole and an invalid one changes
 * nothing; an edge node this state has read a BIRTH or DEATH of itself keeps its own, fresher tables.
 */
export function restoreSparkplug(snapshot: unknown, state: SparkplugState): void {
  const parsed = snapshotSchema.safeParse(snapshot);
  if (!parsed.success) return;
  for (const s of parsed.data.nodes) {
    const key = nodeKey(s.group, s.edge);
    const known = state.nodes.get(key);
    if (known && (known.session === "born" || known.session === "dead")) continue;
    const node = ensureNode(state, { group: s.group, verb: "NBIRTH", edge: s.edge, device: null });
    if (!node) return;
    restoreNode(state, node, s);
  }
}

function restoreNode(state: SparkplugState, node: EdgeNodeState, s: SparkplugSnapshot["nodes"][number]): void {
  let old = tableSize(node.metrics);
  for (const d of node.devices.values()) old += tableSize(d.metrics);
  state.metricCount -= old;
  node.metrics = tableFrom(s.metrics, MAX_METRICS_TOTAL - state.metricCount);
  state.metricCount += tableSize(node.metrics);
  node.session = s.online ? "restored" : "dead";
  node.bdSeq = s.bdSeq;
  for (const d of node.devices.values()) d.metrics = emptyTable();
  for (const sd of s.devices) {
    const dev = ensureDevice(node, sd.device);
    if (!dev) break;
    dev.metrics = tableFrom(sd.metrics, MAX_METRICS_TOTAL - state.metricCount);
    dev.born = s.online;
    state.metricCount += tableSize(dev.metrics);
  }
}

// ---------------------------------------------------------------------------------------------
// The convention
// ---------------------------------------------------------------------------------------------

export const sparkplug: Convention<SparkplugState> = {
  id: "sparkplug",
  label: "Sparkplug B",
  filters: SPARKPLUG_FILTERS,
  initialState: initialSparkplugState,
  claims: (topic) => topic.startsWith(NAMESPACE_LEVEL) || topic.startsWith("STATE/"),
  interpret,
  encodeCommand,
  confirms,
  deviceAccess,
  snapshot: snapshotSparkplug,
  restore: restoreSparkplug,
};
