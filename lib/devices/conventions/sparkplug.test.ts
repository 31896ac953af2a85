/**
 * Payload shapes are the Sparkplug 3.0 specification's own examples (fixtures/sparkplug/spec-*.json,
 * from Sparkplug_6_Payloads.adoc), encoded with Eclipse Tahu's `sparkplug-payload`, plus the
 * deviations real edge nodes ship: Tahu's C example (eclipse/tahu c/examples/udt_example/example.c)
 * gives Node Control/Rebirth an alias and echoes writes in alias-only DDATA; Tahu's JS client
 * (javascript/core/sparkplug-client/index.ts) types bdSeq UInt64.
 */
import { get } from "sparkplug-payload";
import * as protoModule from "sparkplug-payload/lib/sparkplugPayloadProto.js";
import { describe, expect, it } from "vitest";
import type { DeviceFacts, Inbound, Interpretation } from "../convention";
import { asEpochMs } from "../model";
import specDbirth from "./fixtures/sparkplug/spec-dbirth.json";
import specDcmd from "./fixtures/sparkplug/spec-dcmd.json";
import specNbirth from "./fixtures/sparkplug/spec-nbirth.json";
import specNdeath from "./fixtures/sparkplug/spec-ndeath.json";
import {
  MAX_DEVICES_PER_EDGE,
  MAX_EDGE_NODES,
  MAX_METRICS_PER_BIRTH,
  REBIRTH_METRIC,
  REBIRTH_MIN_INTERVAL_MS,
  edgeNodeDeviceId,
  forgivenCounts,
  hostState,
  numberFromLong,
  sparkplug,
  sparkplugCounts,
  sparkplugDeviceId,
  type SparkplugState,
} from "./sparkplug";

const codec = get("spBv1.0");
if (!codec) throw new Error("no spBv1.0 codec");
type UPayload = Parameters<typeof codec.encodePayload>[0];
type UMetric = NonNullable<UPayload["metrics"]>[number];

// Node's ESM loader gives this CommonJS module only as `default` (see sparkplug.ts).
const protoNs: typeof protoModule = "org" in protoModule && protoModule.org ? protoModule : (protoModule as unknown as { default: typeof protoModule }).default;
const Proto = protoNs.org.eclipse.tahu.protobuf.Payload;
type RawPayload = protoModule.org.eclipse.tahu.protobuf.IPayload;

/** The spec's JSON representation (`dataType`) as Tahu's encoder takes it (`type`). */
interface SpecPayload {
  timestamp: number;
  metrics: { name: string; dataType: string; value: unknown; timestamp: number }[];
  seq?: number;
}

function fromSpec(spec: SpecPayload, aliases: Record<string, number> = {}, extra: Partial<Record<string, Partial<UMetric>>> = {}): UPayload {
  const metrics = spec.metrics.map((m): UMetric => {
    const out: UMetric = { name: m.name, type: m.dataType as UMetric["type"], value: m.value as UMetric["value"], timestamp: m.timestamp };
    if (aliases[m.name] !== undefined) out.alias = aliases[m.name];
    return { ...out, ...extra[m.name] };
  });
  return spec.seq === undefined ? { timestamp: spec.timestamp, metrics } : { timestamp: spec.timestamp, metrics, seq: spec.seq };
}

const encode = (p: UPayload) => codec.encodePayload(p);
/** A payload Tahu's encoder cannot make: alias-only metrics without datatype [tck-id-payloads-metric-datatype-not-req]. */
const raw = (p: RawPayload) => Proto.encode(Proto.create(p)).finish();

const G = "Sparkplug B Devices";
const E = "Raspberry Pi";
const D = "Pibrella";
const T0 = 1_700_000_000_000;
const EDGE_ID = edgeNodeDeviceId(G, E);
const DEV_ID = sparkplugDeviceId(G, E, D);
const topic = (verb: string, device?: string) => `spBv1.0/${G}/${verb}/${E}${device ? `/${device}` : ""}`;

function msg(t: string, payload: Uint8Array | string, ts = T0, retain = false): Inbound {
  const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  return { topic: t, payload: bytes, text: typeof payload === "string" ? payload : null, retain, qos: 0, ts: asEpochMs(ts) };
}

/** Aliases as a 3.0 edge node gives them in BIRTH [tck-id-payloads-alias-birth-requirement]; alias 0 is legal (Tahu's C example uses it). */
const NODE_ALIASES: Record<string, number> = {
  "Supply Voltage": 0,
  bdSeq: 1,
  "Node Control/Reboot": 2,
  "Node Control/Next Server": 3,
  "Node Control/Scan Rate": 4,
  "Properties/Hardware Make": 5,
  "Properties/Hardware Model": 6,
  "Properties/OS": 7,
  "Properties/OS Version": 8,
};
const DEVICE_ALIASES: Record<string, number> = Object.fromEntries(specDbirth.metrics.map((m, i) => [m.name, 10 + i]));
const TEMP_ALIAS = 40;

function nbirth(bdSeq = 3, seq = 0, ts = T0) {
  const p = fromSpec(specNbirth, NODE_ALIASES, {
    bdSeq: { value: bdSeq },
    // engUnit as Tahu's C example sets it: a String property on the metric.
    "Supply Voltage": { properties: { engUnit: { type: "String", value: "V" } } },
  });
  return msg(topic("NBIRTH"), encode({ ...p, seq }), ts);
}

function dbirth(seq = 1, ts = T0) {
  const p = fromSpec(specDbirth, DEVICE_ALIASES);
  p.metrics!.push({ name: "Inputs/Temperature", alias: TEMP_ALIAS, type: "Double", value: 21.5, properties: { EngUnit: { type: "String", value: "°C" } } });
  return msg(topic("DBIRTH", D), encode({ ...p, seq }), ts);
}

/** A compliant DDATA: alias only, no name, no datatype. */
function ddataAliasOnly(seq: number, metrics: RawPayload["metrics"], ts = T0) {
  return msg(topic("DDATA", D), raw({ timestamp: ts, seq, metrics }), ts);
}

const ndata = (seq: number, ts = T0, value = 12.3) => msg(topic("NDATA"), encode({ timestamp: ts, seq, metrics: [{ alias: NODE_ALIASES["Supply Voltage"], type: "Float", value }] }), ts);

function born(): SparkplugState {
  const s = sparkplug.initialState();
  sparkplug.interpret(nbirth(), s);
  sparkplug.interpret(dbirth(), s);
  return s;
}

const read = (m: Inbound, s: SparkplugState): Interpretation => {
  const r = sparkplug.interpret(m, s);
  if (!r) throw new Error(`nothing read from ${m.topic}`);
  return r;
};
const factOf = (r: Interpretation, id: string): DeviceFacts => {
  const f = r.facts.find((x) => x.id === id);
  if (!f) throw new Error(`no fact for ${id}`);
  return f;
};
const payloadBytes = (p: Uint8Array | string) => (typeof p === "string" ? new TextEncoder().encode(p) : p);

describe("BIRTH (the spec's NBIRTH and DBIRTH examples)", () => {
  it("learns the edge node: online with its bdSeq, telemetry by name with units, no bookkeeping as measurements", () => {
    const s = sparkplug.initialState();
    const r = read(nbirth(3), s);
    const f = factOf(r, EDGE_ID);
    expect(r.device).toBe(EDGE_ID);
    expect(f).toMatchObject({ convention: "sparkplug", name: E, group: G, seen: true, maker: "Raspberry Pi", model: "Pi 3 Model B" });
    expect(f.liveness).toEqual({ status: "online", reason: "NBIRTH bdSeq 3", since: T0 });
    // Float 12.1 travels as float32; read back as the float32's shortest decimal.
    expect(f.measurements).toEqual({ "Supply Voltage": { value: 12.1, unit: "V", topic: topic("NBIRTH") } });
    expect(r.seq).toEqual({ value: 0, stream: EDGE_ID, modulo: 256, restart: true });
    expect(r.publish).toBeUndefined();
    expect(r.problem).toBeUndefined();
  });

  it("says the commands: every writable metric, Rebirth, but no other Node Control or Properties", () => {
    const s = sparkplug.initialState();
    const f = factOf(read(nbirth(), s), EDGE_ID);
    expect(f.commands?.map((c) => c.name)).toEqual([REBIRTH_METRIC, "Supply Voltage"]);
    const sv = f.commands?.[1];
    expect(sv).toMatchObject({ topic: topic("NCMD"), confirm: "echo", args: { type: "object", properties: { value: { type: "number" } }, required: ["value"] } });
    const dev = factOf(read(dbirth(), s), DEV_ID);
    const green = dev.commands?.find((c) => c.name === "Outputs/LEDs/Green");
    expect(green?.topic).toBe(topic("DCMD", D));
    expect(green?.args.properties.value?.type).toBe("boolean");
    expect(dev.commands?.some((c) => c.name.startsWith("Properties/"))).toBe(false);
  });

  it("puts a device online on DBIRTH, with Boolean metrics as 1/0 and metric names keeping their /", () => {
    const s = sparkplug.initialState();
    read(nbirth(3), s);
    const r = read(dbirth(1), s);
    expect(r.device).toBe(DEV_ID);
    const f = factOf(r, DEV_ID);
    expect(f).toMatchObject({ name: D, group: G, seen: true, maker: "Pibrella" });
    expect(f.liveness?.status).toBe("online");
    expect(f.measurements?.["Outputs/LEDs/Green"]).toEqual({ value: 0, topic: topic("DBIRTH", D) });
    expect(f.measurements?.["Inputs/Temperature"]).toEqual({ value: 21.5, unit: "°C", topic: topic("DBIRTH", D) });
    expect(f.measurements?.["Properties/Hardware Make"]).toBeUndefined();
    expect(r.seq).toEqual({ value: 1, stream: EDGE_ID, modulo: 256 });
  });
});

describe("DATA", () => {
  it("resolves alias-only metrics without datatype through the BIRTH tables, with names and units", () => {
    const s = born();
    const r = read(ddataAliasOnly(2, [{ alias: DEVICE_ALIASES["Inputs/A"], booleanValue: true }, { alias: TEMP_ALIAS, doubleValue: 22.25 }]), s);
    expect(r.problem).toBeUndefined();
    expect(r.publish).toBeUndefined();
    expect(factOf(r, DEV_ID).measurements).toEqual({
      "Inputs/A": { value: 1, topic: topic("DDATA", D) },
      "Inputs/Temperature": { value: 22.25, unit: "°C", topic: topic("DDATA", D) },
    });
  });

  it("reads the spec's by-name DDATA example and an NDATA on alias 0", () => {
    const s = born();
    const spec = { timestamp: T0, metrics: [{ name: "Inputs/A", dataType: "Boolean", value: true, timestamp: T0 }, { name: "Inputs/C", dataType: "Boolean", value: true, timestamp: T0 }], seq: 2 };
    const r = read(msg(topic("DDATA", D), encode(fromSpec(spec))), s);
    expect(factOf(r, DEV_ID).measurements).toEqual({ "Inputs/A": { value: 1, topic: topic("DDATA", D) }, "Inputs/C": { value: 1, topic: topic("DDATA", D) } });
    const n = read(ndata(3), s);
    expect(factOf(n, EDGE_ID).measurements?.["Supply Voltage"]).toEqual({ value: 12.3, unit: "V", topic: topic("NDATA") });
  });

  it("says an unknown alias as a problem and asks one rebirth, by name, without alias, value true", () => {
    const s = born();
    const r = read(ddataAliasOnly(2, [{ alias: 999, intValue: 5 }]), s);
    expect(r.problem).toMatch(/unknown alias 999/);
    expect(r.publish).toHaveLength(1);
    const req = r.publish![0]!;
    expect(req).toMatchObject({ topic: topic("NCMD"), qos: 0, retain: false });
    const decoded = codec.decodePayload(payloadBytes(req.payload));
    expect(decoded.metrics).toHaveLength(1);
    expect(decoded.metrics![0]).toMatchObject({ name: REBIRTH_METRIC, type: "Boolean", value: true });
    expect(decoded.metrics![0]!.alias).toBeUndefined();
    expect(decoded.seq).toBeUndefined(); // [tck-id-payloads-ncmd-seq]
    expect(factOf(r, EDGE_ID).events?.[0]?.text).toMatch(/Rebirth requested: unknown alias 999/);
  });

  it("says why a node heard only in DATA has no status yet: no BIRTH seen, a rebirth requested", () => {
    const r = read(ddataAliasOnly(7, [{ alias: 10, intValue: 5 }]), sparkplug.initialState());
    expect(r.publish).toHaveLength(1);
    expect(factOf(r, EDGE_ID).liveness).toEqual({ status: "unknown", reason: "no BIRTH seen yet: rebirth requested", since: T0 });
  });

  it("turns 64-bit Longs into numbers (signed Int64, UInt64 past 2^32) and reads UInt32 past 2^31", () => {
    const s = sparkplug.initialState();
    const p = fromSpec(specNbirth, NODE_ALIASES);
    p.metrics!.push(
      { name: "Counter", alias: 50, type: "UInt64", value: 2 ** 40 + 5 },
      { name: "Offset", alias: 51, type: "Int64", value: -5 },
      { name: "Level", alias: 52, type: "Int8", value: -128 },
      { name: "Energy", alias: 53, type: "UInt32", value: 4_000_000_000 },
    );
    const f = factOf(read(msg(topic("NBIRTH"), encode({ ...p, seq: 0 })), s), EDGE_ID);
    expect(f.measurements?.Counter?.value).toBe(2 ** 40 + 5);
    expect(f.measurements?.Offset?.value).toBe(-5);
    expect(f.measurements?.Level?.value).toBe(-128);
    // Tahu's own decodePayload gives UInt32 through Long.toInt(), which goes negative here.
    expect(f.measurements?.Energy?.value).toBe(4_000_000_000);
  });

  it("numberFromLong reads a Long's bits and a plain number alike (browser bundles get numbers)", () => {
    const long = (low: number, high: number) => ({ low, high, unsigned: true, toNumber: () => NaN });
    expect(numberFromLong(long(-5, -1), true)).toBe(-5);
    expect(numberFromLong(long(5, 256), false)).toBe(2 ** 40 + 5);
    expect(numberFromLong(2 ** 40, false)).toBe(2 ** 40);
    expect(numberFromLong(2 ** 64 - 2048, true)).toBe(-2048);
    expect(numberFromLong("7", false)).toBeNull();
  });

  it("skips array datatypes and counts them", () => {
    const s = sparkplug.initialState();
    read(nbirth(), s);
    const bytes = raw({ timestamp: T0, seq: 1, metrics: [{ name: "Samples", alias: 60, datatype: 24, bytesValue: new Uint8Array([0x15, 0xcd, 0x5b, 0x07]) }] });
    const r = read(msg(topic("DBIRTH", "Scope"), bytes), s);
    expect(factOf(r, sparkplugDeviceId(G, E, "Scope")).measurements).toEqual({});
    expect(sparkplugCounts(s).skipped.array).toBe(1);
  });

  it("says a payload that is not Sparkplug protobuf as a problem and changes nothing", () => {
    const s = sparkplug.initialState();
    const r = read(msg(topic("NDATA"), '{"temp": 21.5}'), s);
    expect(r.problem).toMatch(/not a Sparkplug B payload/);
    expect(r.facts).toEqual([]);
    expect(s.nodes.size).toBe(0);
  });
});

describe("seq: one counter per edge node, 0–255", () => {
  it("shares the counter across NBIRTH, DBIRTH, NDATA and DDATA, and 255 → 0 is no gap", () => {
    const s = sparkplug.initialState();
    read(nbirth(3, 0), s);
    read(dbirth(1), s);
    const publishes: unknown[] = [];
    for (let i = 2; i < 2 + 256; i++) {
      const seq = i % 256;
      const r = i % 2 === 0 ? read(ndata(seq), s) : read(ddataAliasOnly(seq, [{ alias: DEVICE_ALIASES["Inputs/B"], booleanValue: true }]), s);
      expect(r.seq).toEqual({ value: seq, stream: EDGE_ID, modulo: 256 });
      if (r.publish) publishes.push(...r.publish);
    }
    expect(publishes).toEqual([]);
  });

  it("asks exactly one rebirth on a gap, none on a second gap within the interval, one again after it", () => {
    const s = born(); // seq 0, 1
    expect(read(ndata(2, T0 + 100), s).publish).toBeUndefined();
    const gap = read(ndata(6, T0 + 1000), s);
    expect(gap.publish).toHaveLength(1);
    expect(gap.publish![0]!.topic).toBe(topic("NCMD"));
    expect(read(ndata(7, T0 + 1500), s).publish).toBeUndefined();
    expect(read(ndata(20, T0 + 2000), s).publish).toBeUndefined();
    expect(read(ndata(30, T0 + 1000 + REBIRTH_MIN_INTERVAL_MS), s).publish).toHaveLength(1);
    expect(sparkplugCounts(s).rebirths).toEqual({ requested: 2, suppressed: 1 });
  });

  it("forgives a repeated seq without asking a rebirth", () => {
    const s = born();
    read(ndata(2), s);
    expect(read(ndata(2), s).publish).toBeUndefined();
    expect(forgivenCounts(s).repeated_seq).toBe(1);
  });
});

describe("a host that starts late (BIRTHs are QoS 0 and never retained)", () => {
  it("asks a rebirth on DDATA before any BIRTH, and names nothing it cannot resolve", () => {
    const s = sparkplug.initialState();
    const r = read(ddataAliasOnly(17, [{ alias: 12, booleanValue: true }]), s);
    expect(r.device).toBe(DEV_ID);
    expect(r.publish).toHaveLength(1);
    expect(codec.decodePayload(payloadBytes(r.publish![0]!.payload)).metrics![0]).toMatchObject({ name: REBIRTH_METRIC, value: true });
    expect(r.problem).toMatch(/unknown alias 12/);
    expect(factOf(r, DEV_ID).liveness).toBeUndefined();
  });

  it("asks a rebirth on NDATA and on DBIRTH without an NBIRTH seen", () => {
    expect(read(ndata(5), sparkplug.initialState()).publish).toHaveLength(1);
    expect(read(dbirth(4), sparkplug.initialState()).publish).toHaveLength(1);
  });
});

describe("NDEATH and DDEATH", () => {
  it("ignores an NDEATH whose bdSeq is not the current session's, and counts it forgiven", () => {
    const s = born(); // NBIRTH bdSeq 3
    const stale = fromSpec(specNdeath, {}, { bdSeq: { value: 2 } });
    const r = read(msg(topic("NDEATH"), encode(stale)), s);
    expect(r.facts).toEqual([]);
    expect(forgivenCounts(s).stale_ndeath).toBe(1);
    // The session lives on: DATA needs no rebirth.
    expect(read(ndata(2), s).publish).toBeUndefined();
  });

  it("sets the edge node and all its devices offline on the current session's NDEATH (bdSeq UInt64, as the spec's example)", () => {
    const s = born();
    const r = read(msg(topic("NDEATH"), encode(fromSpec(specNdeath, {}, { bdSeq: { value: 3 } })), T0 + 5000), s);
    const offline = { status: "offline", reason: "NDEATH bdSeq 3", since: T0 + 5000 };
    expect(factOf(r, EDGE_ID).liveness).toEqual(offline);
    expect(factOf(r, DEV_ID).liveness).toEqual(offline);
    expect(r.seq).toBeUndefined(); // NDEATH is not on the counter [tck-id-payloads-ndeath-seq]
    expect(forgivenCounts(s).bdseq_datatype).toBeGreaterThanOrEqual(1);
    // DATA after the death without a new NBIRTH: this host lost the session.
    expect(read(ndata(0, T0 + 6000), s).publish).toHaveLength(1);
  });

  it("forgives a seq on NDEATH", () => {
    const s = born();
    read(msg(topic("NDEATH"), encode({ ...fromSpec(specNdeath, {}, { bdSeq: { value: 3 } }), seq: 9 })), s);
    expect(forgivenCounts(s).ndeath_seq).toBe(1);
  });

  it("sets one device offline on DDEATH, which is on the edge node's counter", () => {
    const s = born();
    const r = read(msg(topic("DDEATH", D), encode({ timestamp: T0, seq: 2 })), s);
    expect(r.facts).toHaveLength(1);
    expect(factOf(r, DEV_ID).liveness).toMatchObject({ status: "offline", reason: "DDEATH" });
    expect(r.seq).toEqual({ value: 2, stream: EDGE_ID, modulo: 256 });
  });
});

describe("lenience with real edge nodes", () => {
  it("forgives an alias on Node Control/Rebirth (Tahu's C example) and a UInt64 bdSeq (Tahu's JS client)", () => {
    const s = sparkplug.initialState();
    const p = fromSpec(specNbirth, { ...NODE_ALIASES, [REBIRTH_METRIC]: 99 }, { bdSeq: { type: "UInt64", value: 7 } });
    const r = read(msg(topic("NBIRTH"), encode({ ...p, seq: 0 })), s);
    expect(factOf(r, EDGE_ID).liveness?.reason).toBe("NBIRTH bdSeq 7");
    expect(forgivenCounts(s)).toMatchObject({ rebirth_alias: 1, bdseq_datatype: 1 });
  });

  it("reads a retained replay as not seen", () => {
    const s = sparkplug.initialState();
    const m = { ...nbirth(), retain: true };
    const r = read(m, s);
    expect(factOf(r, EDGE_ID).seen).toBe(false);
    expect(forgivenCounts(s).retained).toBe(1);
  });
});

describe("commands", () => {
  it("encodes a DCMD by name and datatype, and the alias-only DDATA echo confirms it (Tahu's C example flow)", () => {
    const s = born();
    const dev = factOf(read(dbirth(2), s), DEV_ID);
    const green = dev.commands!.find((c) => c.name === specDcmd.metrics[0]!.name)!;
    const { request, expect: exp } = sparkplug.encodeCommand!(dev, green, { value: true }, "cmd-1", s);
    expect(request).toMatchObject({ topic: topic("DCMD", D), qos: 0, retain: false });
    const decoded = codec.decodePayload(payloadBytes(request.payload));
    expect(decoded.metrics).toEqual([expect.objectContaining({ name: "Outputs/LEDs/Green", type: "Boolean", value: true })]);
    expect(decoded.metrics![0]!.alias).toBeUndefined();
    expect(decoded.seq).toBeUndefined(); // [tck-id-payloads-dcmd-seq]
    expect(exp).toEqual({ kind: "echo", topic: topic("DDATA", D), path: ["Outputs/LEDs/Green"], value: true });

    const other = ddataAliasOnly(3, [{ alias: DEVICE_ALIASES["Outputs/LEDs/Red"], booleanValue: true }]);
    expect(sparkplug.confirms!(exp, other, s)).toBeNull();
    const echo = ddataAliasOnly(4, [{ alias: DEVICE_ALIASES["Outputs/LEDs/Green"], booleanValue: true }]);
    expect(sparkplug.confirms!(exp, echo, s)).toEqual({ ok: true, result: { value: true } });
  });

  it("confirms a Float write on its float32 echo, within float tolerance", () => {
    const s = born();
    const node = factOf(read(nbirth(), s), EDGE_ID);
    const sv = node.commands!.find((c) => c.name === "Supply Voltage")!;
    const { request, expect: exp } = sparkplug.encodeCommand!(node, sv, { value: 12.3 }, "cmd-2", s);
    expect(codec.decodePayload(payloadBytes(request.payload)).metrics![0]).toMatchObject({ name: "Supply Voltage", type: "Float" });
    expect(exp).toMatchObject({ topic: topic("NDATA"), value: 12.3 });
    expect(sparkplug.confirms!(exp, ndata(1, T0, 12.2), s)).toBeNull();
    expect(sparkplug.confirms!(exp, ndata(2, T0, 12.3), s)).toMatchObject({ ok: true });
  });

  it("fails a pending command when its device dies first", () => {
    const s = born();
    const exp = { kind: "echo" as const, topic: topic("DDATA", D), path: ["Outputs/Buzzer"], value: true };
    expect(sparkplug.confirms!(exp, msg(topic("DDEATH", D), encode({ timestamp: T0, seq: 2 })), s)).toMatchObject({ ok: false });
  });

  it("refuses a value of the wrong type or range, and a metric the BIRTH did not name", () => {
    const s = born();
    const p = fromSpec(specNbirth, NODE_ALIASES);
    p.metrics!.push({ name: "Setpoint", alias: 70, type: "Int8", value: 0 });
    const node = factOf(read(msg(topic("NBIRTH"), encode({ ...p, seq: 0 })), s), EDGE_ID);
    const sp = node.commands!.find((c) => c.name === "Setpoint")!;
    expect(sp.args.properties.value).toMatchObject({ type: "integer", minimum: -128, maximum: 127 });
    expect(() => sparkplug.encodeCommand!(node, sp, { value: 300 }, "x", s)).toThrow(/-128 to 127/);
    expect(() => sparkplug.encodeCommand!(node, sp, { value: "warm" }, "x", s)).toThrow(/integer/);
    expect(() => sparkplug.encodeCommand!(node, { ...sp, name: "Nope" }, { value: 1 }, "x", s)).toThrow(/not a metric/);
  });

  it("a Rebirth command is the NCMD by name, confirmed by the NBIRTH that answers it", () => {
    const s = born();
    const node = factOf(read(nbirth(), s), EDGE_ID);
    const rb = node.commands!.find((c) => c.name === REBIRTH_METRIC)!;
    const { request, expect: exp } = sparkplug.encodeCommand!(node, rb, {}, "r", s);
    expect(codec.decodePayload(payloadBytes(request.payload)).metrics![0]).toMatchObject({ name: REBIRTH_METRIC, value: true });
    expect(sparkplug.confirms!(exp, nbirth(3, 0, T0 + 10), s)).toMatchObject({ ok: true });
  });
});

describe("snapshot and restore", () => {
  it("gives a fresh state the names and units of BIRTHs it never saw, without asking a rebirth", () => {
    const snap: unknown = JSON.parse(JSON.stringify(sparkplug.snapshot!(born())));
    const fresh = sparkplug.initialState();
    sparkplug.restore!(snap, fresh);
    const r = read(ddataAliasOnly(9, [{ alias: TEMP_ALIAS, doubleValue: 19 }, { alias: DEVICE_ALIASES["Inputs/D"], booleanValue: false }]), fresh);
    expect(r.problem).toBeUndefined();
    expect(r.publish).toBeUndefined();
    expect(factOf(r, DEV_ID).measurements).toEqual({
      "Inputs/Temperature": { value: 19, unit: "°C", topic: topic("DDATA", D) },
      "Inputs/D": { value: 0, topic: topic("DDATA", D) },
    });
    const n = read(ndata(10), fresh);
    expect(factOf(n, EDGE_ID).measurements?.["Supply Voltage"]?.unit).toBe("V");
    // The restored session's bdSeq still judges NDEATHs.
    expect(read(msg(topic("NDEATH"), encode(fromSpec(specNdeath, {}, { bdSeq: { value: 2 } }))), fresh).facts).toEqual([]);
  });

  it("refuses an invalid snapshot whole", () => {
    const s = sparkplug.initialState();
    const bad = { version: 1, nodes: [{ group: "g", edge: "e/evil", bdSeq: 1, online: true, metrics: [], devices: [] }] };
    sparkplug.restore!(bad, s);
    sparkplug.restore!("nonsense", s);
    sparkplug.restore!({ version: 1, nodes: [{ group: "g", edge: "e", bdSeq: 1, online: true, metrics: [{ name: "x", alias: "1", datatype: 999 }], devices: [] }] }, s);
    expect(s.nodes.size).toBe(0);
  });

  it("keeps its own fresher tables over a snapshot's", () => {
    const s = born();
    const snap = sparkplug.snapshot!(born()) as { nodes: { metrics: { name: string; unit?: string }[] }[] };
    for (const m of snap.nodes[0]!.metrics) if (m.name === "Supply Voltage") m.unit = "mV";
    sparkplug.restore!(snap, s);
    expect(factOf(read(ndata(2), s), EDGE_ID).measurements?.["Supply Voltage"]?.unit).toBe("V");
  });
});

describe("bounds", () => {
  it("refuses metrics past MAX_METRICS_PER_BIRTH with a problem, and does not ask rebirths for them", () => {
    const s = sparkplug.initialState();
    const metrics: UMetric[] = Array.from({ length: MAX_METRICS_PER_BIRTH + 3 }, (_, i) => ({ name: `Tag ${i}`, alias: 1000 + i, type: "Double", value: i }));
    metrics.push({ name: "bdSeq", type: "Int64", value: 1 }, { name: REBIRTH_METRIC, type: "Boolean", value: false });
    const r = read(msg(topic("NBIRTH"), encode({ timestamp: T0, seq: 0, metrics })), s);
    expect(r.problem).toMatch(/MAX_METRICS_PER_BIRTH/);
    expect(Object.keys(factOf(r, EDGE_ID).measurements ?? {})).toHaveLength(MAX_METRICS_PER_BIRTH);
    const past = read(msg(topic("NDATA"), raw({ timestamp: T0, seq: 1, metrics: [{ alias: 1000 + MAX_METRICS_PER_BIRTH + 1, doubleValue: 1 }] })), s);
    expect(past.problem).toMatch(/unknown alias/);
    expect(past.publish).toBeUndefined();
  });

  it("refuses edge nodes past MAX_EDGE_NODES and devices past MAX_DEVICES_PER_EDGE", () => {
    const s = sparkplug.initialState();
    const birth = encode({ timestamp: T0, seq: 0, metrics: [{ name: "bdSeq", type: "Int64", value: 0 }] });
    for (let i = 0; i < MAX_EDGE_NODES; i++) expect(read(msg(`spBv1.0/G/NBIRTH/e${i}`, birth), s).problem).toBeUndefined();
    const over = read(msg("spBv1.0/G/NBIRTH/one-too-many", birth), s);
    expect(over.problem).toMatch(/MAX_EDGE_NODES/);
    expect(over.facts).toEqual([]);
    expect(s.nodes.size).toBe(MAX_EDGE_NODES);

    const t = sparkplug.initialState();
    read(nbirth(), t);
    const dbirthBytes = encode({ timestamp: T0, metrics: [{ name: "x", type: "Int32", value: 1 }] });
    for (let i = 0; i < MAX_DEVICES_PER_EDGE; i++) expect(read(msg(topic("DBIRTH", `d${i}`), dbirthBytes), t).problem).toBeUndefined();
    expect(read(msg(topic("DBIRTH", "extra"), dbirthBytes), t).problem).toMatch(/MAX_DEVICES_PER_EDGE/);
  });
});

describe("STATE, host messages and broker access", () => {
  it("reads 3.0 and 2.x STATE as hosts, not devices", () => {
    const s = sparkplug.initialState();
    expect(sparkplug.claims("spBv1.0/STATE/scada", s)).toBe(true);
    expect(sparkplug.claims("STATE/scada", s)).toBe(true);
    expect(read(msg("spBv1.0/STATE/scada", '{"online":true,"timestamp":1668114759262}'), s)).toEqual({ device: null, facts: [] });
    expect(read(msg("spBv1.0/STATE/scada", "ONLINE"), s).problem).toMatch(/STATE payload/);
    expect(read(msg("STATE/scada", "OFFLINE"), s)).toEqual({ device: null, facts: [] });
    expect(read(msg("STATE/scada", "maybe"), s).problem).toMatch(/ONLINE nor OFFLINE/);
  });

  it("builds this host's retained QoS 1 STATE Will and birth", () => {
    const { will, online } = hostState("fleetscope", T0);
    expect(will).toEqual({ topic: "spBv1.0/STATE/fleetscope", payload: `{"online":false,"timestamp":${T0}}`, qos: 1, retain: true });
    expect(online).toEqual({ topic: "spBv1.0/STATE/fleetscope", payload: `{"online":true,"timestamp":${T0}}`, qos: 1, retain: true });
    expect(() => hostState("a/b", T0)).toThrow();
  });

  it("lets an edge node publish its own topics and read its commands and STATE", () => {
    expect(sparkplug.deviceAccess!("Plant 1/Edge A")).toEqual({
      publish: ["spBv1.0/Plant 1/+/Edge A", "spBv1.0/Plant 1/+/Edge A/#"],
      subscribe: ["spBv1.0/Plant 1/NCMD/Edge A", "spBv1.0/Plant 1/DCMD/Edge A/#", "spBv1.0/STATE/#"],
    });
    expect(sparkplug.deviceAccess!("no-slash")).toEqual({ publish: [], subscribe: [] });
    expect(sparkplug.deviceAccess!("g/+")).toEqual({ publish: [], subscribe: [] });
  });

  it("has the filters and id the registry expects", () => {
    expect(sparkplug.id).toBe("sparkplug");
    expect(sparkplug.filters).toEqual(["spBv1.0/#", "STATE/+"]);
  });
});
