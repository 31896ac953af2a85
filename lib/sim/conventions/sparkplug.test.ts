/**
 * Simulated Sparkplug B edge nodes against real brokers, decoded with Tahu's sparkplug-payload:
 * births in the 3.0 shape, DDATA by alias, one seq per edge node across its topics (wrapping,
 * and skipping when asked), rebirth on NCMD, LED writes on DCMD, the NDEATH Will (a session
 * taken over by another connection) and its bdSeq going up with the next CONNECT.
 */
import mqtt, { type MqttClient } from "mqtt";
import { get } from "sparkplug-payload";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BROKERS, type TestBroker } from "../../../test/helpers/brokers";
import { waitFor } from "../../../test/helpers/wait-for";
import { firstOf } from "../../../test/helpers/recorder";
import { ConventionFleet } from "./index";
import { nextSeq, numberOf, SPARKPLUG_METRICS as M } from "./sparkplug";

const codec = get("spBv1.0")!;
type Payload = ReturnType<typeof codec.decodePayload>;
type Metric = NonNullable<Payload["metrics"]>[number];

interface Msg {
  topic: string;
  payload: Payload;
  qos: number;
  retain: boolean;
}

const T = (type: string, device = false) => `spBv1.0/sim/${type}/edge-01${device ? "/dev-01" : ""}`;
const NBIRTH = T("NBIRTH");
const DBIRTH = T("DBIRTH", true);
const DDATA = T("DDATA", true);
const NDEATH = T("NDEATH");

/** Every Sparkplug message of the group, decoded, in arrival order. */
function record(client: MqttClient) {
  const got: Msg[] = [];
  client.on("message", (topic, bytes, packet) => got.push({ topic, payload: codec.decodePayload(bytes), qos: packet.qos, retain: packet.retain }));
  const first = (what: string, pred: (m: Msg) => boolean, from = 0, timeoutMs = 5000) => firstOf(got, what, pred, from, timeoutMs);
  return { got, first };
}

const seqOf = (m: Msg) => numberOf(m.payload.seq);
const metric = (m: Msg, name: string) => m.payload.metrics?.find((x) => x.name === name);
const bdSeqOf = (m: Msg) => numberOf(metric(m, M.bdSeq.name)?.value);
const encode = (metrics: Metric[]) => Buffer.from(codec.encodePayload({ timestamp: Date.now(), metrics }));

/** Each message the node sends after an NBIRTH follows the one before it by exactly one, 255 → 0. */
function seqBreaks(all: Msg[]): [number | null, number | null][] {
  // The test's own NCMD and DCMD come back too: they carry no seq of the node's.
  const msgs = all.filter((m) => !/\/(NCMD|DCMD)\//.test(m.topic));
  const breaks: [number | null, number | null][] = [];
  for (let i = 1; i < msgs.length; i++) {
    const m = msgs[i]!;
    if (m.topic === NBIRTH || m.topic === NDEATH) continue;
    const prev = msgs.slice(0, i).reverse().find((x) => x.topic !== NDEATH);
    if (prev && seqOf(m) !== nextSeq(seqOf(prev)!)) breaks.push([seqOf(prev), seqOf(m)]);
  }
  return breaks;
}

describe.each(BROKERS)("Sparkplug edge nodes against %s", (_name, startBroker) => {
  let broker: TestBroker;
  let sub: MqttClient;
  let rec: ReturnType<typeof record>;
  let fleet: ConventionFleet | null = null;

  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker.stop();
  });
  afterEach(async () => {
    await fleet?.stop();
    fleet = null;
    await sub.endAsync();
  });

  async function startFleet(opts: { rateHz: number; dropSeqEvery?: number }) {
    sub = await mqtt.connectAsync(broker.tcpUrl, { clientId: `sparkplug-test-${Date.now()}` });
    rec = record(sub);
    await sub.subscribeAsync("spBv1.0/sim/#", { qos: 1 });
    fleet = new ConventionFleet({ url: broker.tcpUrl, convention: "sparkplug", devices: 1, seed: 7, ...opts });
    await fleet.start();
  }

  it("births, DDATA by alias with one seq across topics, rebirth, a DCMD write and NDEATH on stop", async () => {
    await startFleet({ rateHz: 50 });
    const nbirth = await rec.first("NBIRTH", (m) => m.topic === NBIRTH);
    expect(seqOf(nbirth)).toBe(0);
    expect(nbirth.qos).toBe(0);
    const bdSeq = bdSeqOf(nbirth);
    expect(metric(nbirth, M.bdSeq.name)?.type).toBe("Int64");
    expect(metric(nbirth, M.rebirth.name)).toMatchObject({ type: "Boolean", value: false });
    expect(numberOf(metric(nbirth, M.rebirth.name)?.alias)).toBe(M.rebirth.alias);
    expect(metric(nbirth, M.hardwareMake.name)).toMatchObject({ type: "String", value: "Fleetscope" });

    const dbirth = await rec.first("DBIRTH", (m) => m.topic === DBIRTH);
    expect(seqOf(dbirth)).toBe(1);
    expect(metric(dbirth, M.temperature.name)).toMatchObject({ type: "Float", properties: { engUnit: { type: "String", value: "°C" } } });
    expect(metric(dbirth, M.pressure.name)).toMatchObject({ type: "Double", properties: { engUnit: { type: "String", value: "kPa" } } });
    expect(metric(dbirth, M.led.name)).toMatchObject({ type: "Boolean", value: false });
    expect(dbirth.payload.metrics?.map((x) => numberOf(x.alias))).toEqual([M.temperature.alias, M.pressure.alias, M.led.alias]);

    const ddata = await rec.first("a DDATA", (m) => m.topic === DDATA);
    expect(ddata.payload.metrics?.map((x) => [x.name ?? null, numberOf(x.alias)])).toEqual([
      [null, M.temperature.alias],
      [null, M.pressure.alias],
    ]);
    expect(typeof ddata.payload.metrics?.[0]?.value).toBe("number");

    // A host asks for a rebirth: the same session (bdSeq), seq from 0 again.
    let from = rec.got.length;
    sub.publish(T("NCMD"), encode([{ name: M.rebirth.name, type: "Boolean", value: true }]));
    const reborn = await rec.first("the NBIRTH a rebirth request asks for", (m) => m.topic === NBIRTH, from);
    expect(seqOf(reborn)).toBe(0);
    expect(bdSeqOf(reborn)).toBe(bdSeq);
    const at = rec.got.indexOf(reborn);
    await waitFor("the DBIRTH after it", () => rec.got.length > at + 1);
    expect(rec.got[at + 1]).toMatchObject({ topic: DBIRTH, payload: { seq: expect.anything() } });
    expect(seqOf(rec.got[at + 1]!)).toBe(1);

    // Writing the LED by alias: set, and reported in a DDATA by alias.
    from = rec.got.length;
    sub.publish(T("DCMD", true), encode([{ alias: M.led.alias, type: "Boolean", value: true }]));
    const led = await rec.first("the LED's new value", (m) => m.topic === DDATA && numberOf(m.payload.metrics?.[0]?.alias) === M.led.alias, from);
    expect(led.payload.metrics?.[0]).toMatchObject({ type: "Boolean", value: true });
    expect(led.payload.metrics?.[0]?.name ?? null).toBeNull();

    // By name too.
    from = rec.got.length;
    sub.publish(T("DCMD", true), encode([{ name: M.led.name, type: "Boolean", value: false }]));
    const off = await rec.first("the LED off", (m) => m.topic === DDATA && numberOf(m.payload.metrics?.[0]?.alias) === M.led.alias, from);
    expect(off.payload.metrics?.[0]?.value).toBe(false);

    await fleet!.stop();
    fleet = null;
    const death = await rec.first("NDEATH on a clean stop", (m) => m.topic === NDEATH);
    expect(bdSeqOf(death)).toBe(bdSeq);
    expect(death.payload.seq ?? null).toBeNull();
    expect(seqBreaks(rec.got)).toEqual([]);
  });

  it("wraps seq 255 → 0 and skips one every dropSeqEvery DDATA when asked", async () => {
    await startFleet({ rateHz: 1000 });
    await rec.first("seq wrapping to 0", (m) => m.topic === DDATA && seqOf(m) === 0);
    expect(seqBreaks(rec.got)).toEqual([]);
    await fleet!.stop();
    await sub.endAsync();

    await startFleet({ rateHz: 100, dropSeqEvery: 3 });
    await waitFor("six DDATA", () => rec.got.filter((m) => m.topic === DDATA).length >= 6);
    const breaks = seqBreaks(rec.got);
    expect(breaks.length).toBeGreaterThanOrEqual(1);
    // Each gap is one seq left out, no more.
    for (const [a, b] of breaks) expect(b).toBe(nextSeq(nextSeq(a!)));
  });

  it("sends its NDEATH Will when its session is lost, and the next CONNECT's NBIRTH has the next bdSeq", async () => {
    await startFleet({ rateHz: 20 });
    const nbirth = await rec.first("NBIRTH", (m) => m.topic === NBIRTH);
    const bdSeq = bdSeqOf(nbirth)!;
    const from = rec.got.length;
    // A connection with the node's client id takes its session over: the broker drops the
    // node without a DISCONNECT and publishes its Will.
    const takeover = await mqtt.connectAsync(broker.tcpUrl, { clientId: "fleetscope-sim-sparkplug-edge-01" });
    const will = await rec.first("the NDEATH Will", (m) => m.topic === NDEATH, from);
    await takeover.endAsync();
    expect(bdSeqOf(will)).toBe(bdSeq);
    expect(will.retain).toBe(false);
    const next = await rec.first("the NBIRTH of the next session", (m) => m.topic === NBIRTH, from);
    expect(bdSeqOf(next)).toBe(nextSeq(bdSeq));
    expect(seqOf(next)).toBe(0);
  });
});
