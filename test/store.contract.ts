/**
 * The contract every Store implementation passes. Each implementation's test file calls
 * `storeContract` with a factory that returns a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asDeviceId, asEpochMs } from "../lib/devices/model";
import { summarizeDelivery } from "../lib/store/delivery";
import { InvalidCursorError, REDELIVERY_WINDOW_MS, type MessageRow, type Store } from "../lib/store/types";
import type { QoS } from "../lib/mqtt/packet";

const row = (ts: number, topic: string, payload: string | Buffer, extra: Partial<MessageRow> = {}): MessageRow => ({
  ts: asEpochMs(ts),
  topic,
  device: null,
  qos: 1,
  retain: false,
  dup: false,
  seq: null,
  payload: typeof payload === "string" ? Buffer.from(payload) : payload,
  truncated: false,
  ident: null,
  fields: null,
  ...extra,
});

/** Telemetry rows as the bridge makes them: a device, its fields, and an identity from seq. */
const telemetry = (ts: number, device: string, fields: Record<string, number>, seq: number): MessageRow =>
  row(ts, `fleet/lab/${device}/telemetry`, JSON.stringify({ seq, ...fields }), { device: asDeviceId(device), seq, ident: BigInt(seq) * 1000n + BigInt(device.length), fields });

export function storeContract(name: string, open: () => Promise<Store>) {
  describe(`${name} store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("returns stored messages newest first, with text payloads as utf8 and binary as base64", async () => {
      await store.append({
        messages: [row(1, "a/b", "hello"), row(2, "a/c", Buffer.from([0xff, 0xfe])), row(3, "a/b", '{"seq":3}', { seq: 3 })],
        devices: [],
      });
      const page = await store.queryMessages({ limit: 10 });
      expect(page.messages.map((m) => m.ts)).toEqual([3, 2, 1]);
      expect(page.messages[1]).toMatchObject({ topic: "a/c", payload: "//4=", encoding: "base64" });
      expect(page.messages[0]).toMatchObject({ payload: '{"seq":3}', encoding: "utf8", seq: 3, qos: 1, retain: false });
      expect(page.next).toBeNull();
    });

    it("keeps topics, payloads, fields and identities exactly: non-ASCII, tabs and backslashes, empty and large", async () => {
      const topic = "fleet/lab/ärm-ø1/telemetry\twith\\odd\nchars";
      const big = Buffer.alloc(100_000, 0x5c);
      await store.append({
        messages: [
          row(1, topic, "", { qos: 2, retain: true, dup: true, seq: 0, ident: -(2n ** 63n) }),
          row(2, "a/b", big, { truncated: true, ident: 2n ** 63n - 1n }),
          telemetry(3, "ärm-ø1", { "temp\tC": -0.1, "x.\\y": 1e-300 }, 9),
        ],
        devices: [],
      });
      const page = await store.queryMessages({ limit: 10 });
      expect(page.messages.map((m) => [m.ts, m.topic, m.qos, m.retain, m.seq, m.truncated])).toEqual([
        [3, "fleet/lab/ärm-ø1/telemetry", 1, false, 9, false],
        [2, "a/b", 1, false, null, true],
        [1, topic, 2, true, 0, false],
      ]);
      expect(page.messages[2]!.payload).toBe("");
      expect(Buffer.from(page.messages[1]!.payload, page.messages[1]!.encoding === "base64" ? "base64" : "utf8")).toEqual(big);
      const series = await store.querySeries({ device: asDeviceId("ärm-ø1"), field: "temp\tC", from: asEpochMs(0), to: asEpochMs(10), points: 10 });
      expect(series.points.map((p) => p.last)).toEqual([-0.1]);
      expect((await store.querySeries({ device: asDeviceId("ärm-ø1"), field: "x.\\y", from: asEpochMs(0), to: asEpochMs(10), points: 10 })).points[0]!.min).toBe(1e-300);
      // The same identities again are redeliveries, however extreme their values.
      const again = await store.append({ messages: [row(4, topic, "", { ident: -(2n ** 63n) }), row(5, "a/b", "x", { ident: 2n ** 63n - 1n })], devices: [] });
      expect(again).toEqual({ stored: 0, duplicates: 2 });
    });

    it("filters by topic with + and # and by time range", async () => {
      await store.append({
        messages: [row(1, "fleet/s1/d1/telemetry", "1"), row(2, "fleet/s1/d1/status", "2"), row(3, "fleet/s2/d2/telemetry", "3"), row(4, "fleet", "4"), row(5, "other", "5")],
        devices: [],
      });
      const topics = async (topic: string, from?: number, to?: number) =>
        (await store.queryMessages({ topic, limit: 100, from: from === undefined ? undefined : asEpochMs(from), to: to === undefined ? undefined : asEpochMs(to) })).messages.map((m) => m.payload);
      expect(await topics("fleet/+/+/telemetry")).toEqual(["3", "1"]);
      expect(await topics("fleet/#")).toEqual(["4", "3", "2", "1"]);
      expect(await topics("fleet/s1/d1/status")).toEqual(["2"]);
      expect(await topics("#", 2, 4)).toEqual(["4", "3", "2"]);
    });

    it("treats topic text as data, never as SQL or a LIKE pattern", async () => {
      await store.append({ messages: [row(1, "a'; DROP TABLE messages; --", "x"), row(2, "a%", "y"), row(3, "ab", "z")], devices: [] });
      expect((await store.queryMessages({ topic: "a%", limit: 10 })).messages.map((m) => m.payload)).toEqual(["y"]);
      expect((await store.queryMessages({ topic: "a'; DROP TABLE messages; --", limit: 10 })).messages).toHaveLength(1);
      expect((await store.queryMessages({ limit: 10 })).messages).toHaveLength(3);
    });

    it("pages with an opaque cursor through rows sharing a timestamp, without gaps or repeats", async () => {
      const messages = Array.from({ length: 25 }, (_, i) => row(100 + Math.floor(i / 5), "t", String(i)));
      await store.append({ messages, devices: [] });
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.queryMessages({ limit: 7, cursor });
        seen.push(...page.messages.map((m) => m.payload));
        cursor = page.next ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(25);
      expect(new Set(seen).size).toBe(25);
    });

    it("rejects a cursor it did not issue", async () => {
      await expect(store.queryMessages({ limit: 5, cursor: "not-a-cursor" })).rejects.toThrow(InvalidCursorError);
    });

    it("keeps a registry of devices: status, last seen, fields and latest values", async () => {
      const id = asDeviceId("arm-99");
      await store.append({
        messages: [],
        devices: [{ id, site: "lab", lastSeen: asEpochMs(10), values: { temp: { value: 41.5, ts: asEpochMs(10) }, current: { value: 1, ts: asEpochMs(10) } } }],
      });
      await store.append({ messages: [], devices: [{ id, site: "lab", lastSeen: asEpochMs(20), status: "online", values: { temp: { value: 42, ts: asEpochMs(20) } } }] });
      // A retained status replayed later (last seen 0) must not move last seen back.
      await store.append({ messages: [], devices: [{ id, site: "lab", lastSeen: asEpochMs(0), status: "offline" }] });
      const values = { temp: { value: 42, ts: 20 }, current: { value: 1, ts: 10 } };
      expect(await store.listDevices()).toEqual([
        { id, name: "arm-99", group: "lab", site: "lab", convention: "demo", status: "offline", statusReason: null, since: null, lastSeen: 20, fields: ["current", "temp"], values, meta: {} },
      ]);
      expect(await store.getDevice(id)).toMatchObject({ values: { temp: { value: 42, ts: 20 }, current: { value: 1, ts: 10 } } });
      expect(await store.getDevice(asDeviceId("nope"))).toBeNull();
    });

    it("keeps what a convention says of a device: name, convention, units, and why and since when it has its status", async () => {
      const id = asDeviceId("tasmota.plug-1");
      const base = { id, site: "tasmota", name: "Kitchen plug", convention: "tasmota" as const };
      await store.append({ messages: [], devices: [{ ...base, lastSeen: asEpochMs(10), status: "online", statusReason: "Tasmota LWT Online", since: asEpochMs(10), meta: { model: "Sonoff S31" } }] });
      // Still online, for another reason: it has been online since 10, not since 20.
      await store.append({
        messages: [],
        devices: [{ ...base, lastSeen: asEpochMs(20), status: "online", statusReason: "tele STATE", since: asEpochMs(20), values: { "ENERGY.Power": { value: 12.5, ts: asEpochMs(20), unit: "W" } } }],
      });
      expect(await store.getDevice(id)).toMatchObject({
        name: "Kitchen plug", group: "tasmota", convention: "tasmota", status: "online", statusReason: "tele STATE", since: 10,
        values: { "ENERGY.Power": { value: 12.5, unit: "W" } }, meta: { model: "Sonoff S31" },
      });
      // Offline: the status and its reason change, and since with them; a message saying nothing of status keeps them.
      await store.append({ messages: [], devices: [{ ...base, lastSeen: asEpochMs(0), status: "offline", statusReason: "Tasmota LWT Offline", since: asEpochMs(30) }] });
      await store.append({ messages: [], devices: [{ ...base, lastSeen: asEpochMs(0), meta: { maker: "Tasmota" } }] });
      expect(await store.getDevice(id)).toMatchObject({ status: "offline", statusReason: "Tasmota LWT Offline", since: 30, lastSeen: 20, meta: { model: "Sonoff S31", maker: "Tasmota" } });
    });

    it("aggregates a series in buckets: min, max, avg, last and count", async () => {
      const device = asDeviceId("arm-1");
      // One sample a second for ten minutes: value = second index.
      const messages = Array.from({ length: 600 }, (_, i) => telemetry(1_000_000 + i * 1000, device, { temp: i }, i + 1));
      await store.append({ messages, devices: [] });
      const s = await store.querySeries({ device, field: "temp", from: asEpochMs(1_000_000), to: asEpochMs(1_000_000 + 599_999), points: 20 });
      expect(s.bucketMs).toBe(30_000);
      expect(s.points).toHaveLength(20);
      expect(s.points.reduce((n, p) => n + p.count, 0)).toBe(600);
      const first = s.points[0]!;
      expect(first.t).toBe(1_000_000);
      expect(first.min).toBe(0);
      expect(first.last).toBe(first.max);
      expect(first.avg).toBeCloseTo((first.min + first.max) / 2);
      expect(s.points.at(-1)!.last).toBe(599);
      // Minute-wide buckets read the minute rollups; `from` rounds down to a whole minute, which
      // takes an eleventh bucket, so buckets widen to two minutes to stay within 10.
      const m = await store.querySeries({ device, field: "temp", from: asEpochMs(1_000_000), to: asEpochMs(1_000_000 + 599_999), points: 10 });
      expect(m.bucketMs).toBe(120_000);
      expect(m.points.length).toBeLessThanOrEqual(10);
      expect(m.points.reduce((n, p) => n + p.count, 0)).toBe(600);
      expect(m.points.at(-1)!.last).toBe(599);
    });

    it("reads rollups for long ranges with the same totals as the raw samples", async () => {
      const device = asDeviceId("arm-2");
      const day = 24 * 3_600_000;
      // Two days, one sample every 5 minutes, split over several batches as the bridge would.
      const values = Array.from({ length: 576 }, (_, i) => (i % 10) + 0.5);
      const samples = values.map((v, i) => telemetry(day + i * 300_000, device, { current: v }, i + 1));
      for (let i = 0; i < samples.length; i += 100) await store.append({ messages: samples.slice(i, i + 100), devices: [] });
      const s = await store.querySeries({ device, field: "current", from: asEpochMs(day), to: asEpochMs(3 * day - 1), points: 48 });
      expect(s.bucketMs).toBe(3_600_000);
      expect(s.points).toHaveLength(48);
      expect(s.points.reduce((n, p) => n + p.count, 0)).toBe(576);
      expect(Math.min(...s.points.map((p) => p.min))).toBe(0.5);
      expect(Math.max(...s.points.map((p) => p.max))).toBe(9.5);
      expect(s.points.at(-1)!.last).toBe(values.at(-1));
      const minutes = await store.querySeries({ device, field: "current", from: asEpochMs(day), to: asEpochMs(2 * day - 1), points: 200 });
      expect(minutes.bucketMs % 60_000).toBe(0);
      expect(minutes.points.reduce((n, p) => n + p.count, 0)).toBe(288);
    });

    it("returns no points for a field or range without samples", async () => {
      const s = await store.querySeries({ device: asDeviceId("nobody"), field: "temp", from: asEpochMs(0), to: asEpochMs(1000), points: 10 });
      expect(s.points).toEqual([]);
    });

    it("stores a redelivered message once and counts the duplicate, within a batch and across batches", async () => {
      const device = asDeviceId("arm-3");
      const a = telemetry(10, "arm-3", { temp: 1 }, 1);
      const b = telemetry(20, "arm-3", { temp: 2 }, 2);
      expect(await store.append({ messages: [a, b, { ...a, dup: true }], devices: [] })).toEqual({ stored: 2, duplicates: 1 });
      expect(await store.append({ messages: [{ ...b, ts: asEpochMs(30), dup: true }, telemetry(40, "arm-3", { temp: 3 }, 3)], devices: [] })).toEqual({ stored: 1, duplicates: 1 });
      expect((await store.queryMessages({ limit: 10 })).messages.map((m) => m.seq)).toEqual([3, 2, 1]);
      // Samples of a duplicate are not stored twice either.
      const s = await store.querySeries({ device, field: "temp", from: asEpochMs(0), to: asEpochMs(100), points: 1 });
      expect(s.points[0]).toMatchObject({ count: 3, min: 1, max: 3 });
      // Messages without an identity are all stored.
      expect(await store.append({ messages: [row(50, "x", "same"), row(50, "x", "same")], devices: [] })).toEqual({ stored: 2, duplicates: 0 });
    });

    it("stores a message that repeats an old one after the redelivery window, unless it is flagged DUP", async () => {
      const first = telemetry(1000, "arm-9", { temp: 1 }, 1);
      const at = (ts: number, dup = false) => ({ messages: [{ ...first, ts: asEpochMs(ts), dup }], devices: [] });
      expect(await store.append(at(1000))).toEqual({ stored: 1, duplicates: 0 });
      expect(await store.append(at(1000 + REDELIVERY_WINDOW_MS))).toEqual({ stored: 0, duplicates: 1 });
      // The broker's own redelivery, however late.
      expect(await store.append(at(1001 + REDELIVERY_WINDOW_MS, true))).toEqual({ stored: 0, duplicates: 1 });
      // A rebooted device's first message, byte for byte the one before: new. Then its own
      // resend, within the window of it, is a redelivery again, and twice in one batch is one.
      expect(await store.append(at(1001 + REDELIVERY_WINDOW_MS))).toEqual({ stored: 1, duplicates: 0 });
      expect(await store.append(at(1002 + REDELIVERY_WINDOW_MS))).toEqual({ stored: 0, duplicates: 1 });
      const twice = { ...first, ts: asEpochMs(2002 + 2 * REDELIVERY_WINDOW_MS) };
      expect(await store.append({ messages: [twice, { ...twice, ts: asEpochMs(twice.ts + 1) }], devices: [] })).toEqual({ stored: 1, duplicates: 1 });
      expect((await store.queryMessages({ limit: 10 })).messages.map((m) => m.ts)).toEqual([2002 + 2 * REDELIVERY_WINDOW_MS, 1001 + REDELIVERY_WINDOW_MS, 1000]);
      const s = await store.querySeries({ device: asDeviceId("arm-9"), field: "temp", from: asEpochMs(0), to: asEpochMs(3 * REDELIVERY_WINDOW_MS), points: 1 });
      expect(s.points[0]!.count).toBe(3);
    });

    it("gives each topic's seq stream of a device and the duplicates it recognised", async () => {
      const seqs = [1, 2, 3, 5, 6, 9];
      await store.append({ messages: seqs.map((q) => telemetry(100 + q, "arm-4", { temp: q }, q)), devices: [] });
      await store.append({ messages: [{ ...telemetry(105, "arm-4", { temp: 5 }, 5), qos: 0 }], devices: [] });
      const d = await store.queryDelivery({ device: asDeviceId("arm-4"), from: asEpochMs(0), to: asEpochMs(1000) });
      expect(d.streams).toEqual([{ topic: "fleet/lab/arm-4/telemetry", qos: 1, received: 6, lost: 3 }]);
      expect(d.duplicates.get(0)).toBe(1);
      const none = await store.queryDelivery({ device: asDeviceId("arm-4"), from: asEpochMs(2000), to: asEpochMs(3000) });
      expect(none.streams).toEqual([]);
    });

    it("counts each stored message under its own QoS, and a gap under the QoS of the message after it", async () => {
      const topic = "fleet/lab/arm-6/telemetry";
      const sent: [number, QoS][] = [[1, 1], [2, 1], [3, 0], [5, 0], [6, 1], [9, 2]];
      await store.append({ messages: sent.map(([q, qos]) => ({ ...telemetry(100 + q, "arm-6", { temp: q }, q), qos })), devices: [] });
      // The latest message is QoS 2; the others still count under the level they came at.
      const d = await store.queryDelivery({ device: asDeviceId("arm-6"), from: asEpochMs(0), to: asEpochMs(1000) });
      expect(d.streams).toEqual([
        { topic, qos: 0, received: 2, lost: 1 },
        { topic, qos: 1, received: 3, lost: 0 },
        { topic, qos: 2, received: 1, lost: 2 },
      ]);
      expect(summarizeDelivery(d.streams, d.duplicates)).toMatchObject({ received: 6, lost: 3, byQos: { "0": { received: 2, lost: 1 }, "1": { received: 3, lost: 0 }, "2": { received: 1, lost: 2 } } });
    });

    it("counts a counter shared across topics and wrapping (a Sparkplug edge node's) over its whole stream, in arrival order", async () => {
      const stream = "spBv1.0.plant.edge-1";
      const node = asDeviceId(stream);
      const dev = asDeviceId("spBv1.0.plant.edge-1.pump");
      // 300 messages of one counter, 0..255 wrapping, the node's and its device's interleaved: two
      // lost (100, and 260 = 4 after the wrap), two arriving swapped (150 after 151), one at QoS 1;
      // then a restart (NBIRTH, seq 0) and two more.
      const order = Array.from({ length: 300 }, (_, i) => i).filter((i) => i !== 100 && i !== 260);
      order.splice(order.indexOf(150), 2, 151, 150);
      const sent = [...order.map((i) => ({ seq: i % 256, restart: i === 0 })), { seq: 0, restart: true }, { seq: 1, restart: false }, { seq: 2, restart: false }];
      const restartAt = 1000 + order.length;
      await store.append({
        messages: sent.map(({ seq, restart }, i) =>
          row(1000 + i, `spBv1.0/plant/${i % 2 ? "DDATA" : "NDATA"}/edge-1${i % 2 ? "/pump" : ""}`, `m${i}`, {
            device: i % 2 ? dev : node,
            qos: i === 10 ? 1 : 0,
            ident: BigInt(7000 + i),
            sharedSeq: { stream, seq, modulo: 256, restart },
          }),
        ),
        devices: [],
      });
      for (const device of [node, dev]) {
        const d = await store.queryDelivery({ device, from: asEpochMs(0), to: asEpochMs(5000) });
        expect(d.streams).toEqual([
          { topic: stream, qos: 0, received: 297 + 3, lost: 2 },
          { topic: stream, qos: 1, received: 1, lost: 0 },
        ]);
      }
      // A range holding only the last run: no loss is counted from a value before it.
      const tail = await store.queryDelivery({ device: dev, from: asEpochMs(restartAt), to: asEpochMs(5000) });
      expect(tail.streams).toEqual([{ topic: stream, qos: 0, received: 3, lost: 0 }]);
    });

    it("keeps each device's status changes with their reasons: the history a range opens with, inside it, and bounded", async () => {
      const id = asDeviceId("spBv1.0.plant.edge-1");
      const base = { id, site: "plant", convention: "sparkplug" as const };
      const update = (ts: number, status: "online" | "offline", reason: string, lastSeen = ts) => ({ ...base, lastSeen: asEpochMs(lastSeen), status, statusReason: reason, since: asEpochMs(ts) });
      await store.append({ messages: [], devices: [update(100, "online", "NBIRTH bdSeq 0")] });
      // The same status again is no change, whatever its reason; a retained replay changes the
      // device but dates nothing, so the offline after it is a change again.
      await store.append({ messages: [], devices: [update(150, "online", "NDATA")] });
      await store.append({ messages: [], devices: [update(200, "offline", "NDEATH bdSeq 0")] });
      await store.append({ messages: [], devices: [{ ...base, lastSeen: asEpochMs(0), status: "online", statusReason: "retained" }] });
      await store.append({ messages: [], devices: [update(300, "offline", "NDEATH bdSeq 1")] });
      await store.append({ messages: [], devices: [update(400, "online", "NBIRTH bdSeq 1"), { id: asDeviceId("other"), site: "x", lastSeen: asEpochMs(410), status: "offline", since: asEpochMs(410) }] });
      const h = await store.queryStatusHistory({ device: id, from: asEpochMs(150), to: asEpochMs(1000), limit: 10 });
      expect(h.changes).toEqual([
        { ts: 400, status: "online", reason: "NBIRTH bdSeq 1" },
        { ts: 300, status: "offline", reason: "NDEATH bdSeq 1" },
        { ts: 200, status: "offline", reason: "NDEATH bdSeq 0" },
      ]);
      expect(h.before).toEqual({ ts: 100, status: "online", reason: "NBIRTH bdSeq 0" });
      expect(h.truncated).toBe(false);
      const cut = await store.queryStatusHistory({ device: id, from: asEpochMs(0), to: asEpochMs(1000), limit: 2 });
      expect(cut.changes.map((c) => c.ts)).toEqual([400, 300]);
      expect(cut).toMatchObject({ truncated: true, before: null });
      expect((await store.queryStatusHistory({ device: asDeviceId("nobody"), from: asEpochMs(0), to: asEpochMs(1000), limit: 10 })).changes).toEqual([]);
      // Retention takes old changes as it takes old messages.
      for (let n = await store.prune(asEpochMs(250), 10); n > 0; n = await store.prune(asEpochMs(250), 10));
      expect((await store.queryStatusHistory({ device: id, from: asEpochMs(0), to: asEpochMs(1000), limit: 10 })).changes.map((c) => c.ts)).toEqual([400, 300]);
    });

    it("prunes data older than a cutoff in bounded chunks and keeps the rest", async () => {
      const old = Array.from({ length: 30 }, (_, i) => telemetry(1000 + i, "arm-5", { temp: i }, i + 1));
      const fresh = Array.from({ length: 5 }, (_, i) => telemetry(10 * 3_600_000 + i, "arm-5", { temp: i }, 100 + i));
      await store.append({ messages: [...old, ...fresh, { ...old[0]!, ts: asEpochMs(1100) }], devices: [] });
      const cutoff = asEpochMs(5 * 3_600_000);
      let total = 0;
      for (let n = await store.prune(cutoff, 10); n > 0; n = await store.prune(cutoff, 10)) total += n;
      expect(total).toBeGreaterThan(0);
      expect((await store.queryMessages({ limit: 100 })).messages.map((m) => m.seq)).toEqual([104, 103, 102, 101, 100]);
      const s = await store.querySeries({ device: asDeviceId("arm-5"), field: "temp", from: asEpochMs(0), to: asEpochMs(11 * 3_600_000), points: 1 });
      expect(s.points[0]!.count).toBe(5);
      // The topic's history goes with its messages: at the cutoff nothing is left, later the fresh rows are.
      expect((await store.queryTopicsAt({ at: cutoff, limit: 10 })).items).toEqual([]);
      expect((await store.queryTopicsAt({ at: asEpochMs(11 * 3_600_000), limit: 10 })).items.map((m) => m.seq)).toEqual([104]);
    });

    it("writes a batch sent behind a pending one only if that one is written", async () => {
      // A topic the schema refuses (NOT NULL) fails its whole batch, in either store.
      const refused = row(1, null as unknown as string, "x");
      const first = store.append({ messages: [refused], devices: [] });
      const second = store.append({ messages: [telemetry(2, "p1", { temp: 1 }, 1)], devices: [] });
      await expect(first).rejects.toThrow();
      await expect(second).rejects.toThrow(/before it failed/);
      expect((await store.queryMessages({ limit: 10 })).messages).toHaveLength(0);
      // Sent once the failure is known, a batch is written again; two in flight both are.
      const third = store.append({ messages: [telemetry(3, "p1", { temp: 1 }, 1)], devices: [] });
      const fourth = store.append({ messages: [telemetry(4, "p1", { temp: 2 }, 2)], devices: [] });
      expect([(await third).stored, (await fourth).stored]).toEqual([1, 1]);
      expect((await store.queryMessages({ limit: 10 })).messages.map((m) => m.seq)).toEqual([2, 1]);
    });

    it("pages messages oldest first with order asc, and a cursor is a position either way", async () => {
      const messages = Array.from({ length: 12 }, (_, i) => row(100 + Math.floor(i / 3), "t", String(i)));
      await store.append({ messages, devices: [] });
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.queryMessages({ limit: 5, cursor, order: "asc" });
        seen.push(...page.messages.map((m) => m.payload));
        cursor = page.next ?? undefined;
      } while (cursor);
      expect(seen).toEqual(messages.map((m) => Buffer.from(m.payload).toString()));
      // From the position a newest-first page stopped at, oldest first goes back the way it came.
      const newest = await store.queryMessages({ limit: 4 });
      expect(newest.messages.map((m) => m.payload)).toEqual(["11", "10", "9", "8"]);
      const back = await store.queryMessages({ limit: 3, cursor: newest.next!, order: "asc" });
      expect(back.messages.map((m) => m.payload)).toEqual(["9", "10", "11"]);
      expect(back.next).toBeNull();
      const window = await store.queryMessages({ from: asEpochMs(101), to: asEpochMs(102), limit: 100, order: "asc" });
      expect(window.messages.map((m) => m.payload)).toEqual(["3", "4", "5", "6", "7", "8"]);
    });

    it("pages a window's samples by message, oldest first, filtered by topic", async () => {
      await store.append({
        messages: [
          telemetry(10, "arm-3", { temp: 1, current: 0.5 }, 1),
          row(15, "fleet/lab/arm-3/status", "online", { device: asDeviceId("arm-3") }),
          telemetry(20, "arm-3", { temp: 2 }, 2),
          telemetry(30, "arm-3", { temp: 3 }, 3),
        ],
        devices: [],
      });
      const all: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.querySamples({ from: asEpochMs(0), to: asEpochMs(25), limit: 2, cursor, topic: "fleet/+/+/#" });
        all.push(...page.samples.map((x) => `${x.ts} ${x.device} ${x.topic} ${x.field}=${x.value}`));
        cursor = page.next ?? undefined;
      } while (cursor);
      expect(all).toEqual(["10 arm-3 fleet/lab/arm-3/telemetry current=0.5", "10 arm-3 fleet/lab/arm-3/telemetry temp=1", "20 arm-3 fleet/lab/arm-3/telemetry temp=2"]);
      expect((await store.querySamples({ from: asEpochMs(0), to: asEpochMs(100), limit: 10, topic: "fleet/+/+/status" })).samples).toEqual([]);
      expect(await store.countMessages(asEpochMs(10), asEpochMs(20))).toBe(3);
    });

    it("answers each topic's last message at or before an instant, in topic order, filtered and paged", async () => {
      await store.append({
        messages: [
          row(10, "fleet/s1/a/status", "online", { retain: true, qos: 1 }),
          row(20, "fleet/s1/a/telemetry", "t20", { qos: 0 }),
          row(30, "fleet/s1/a/telemetry", "t30", { qos: 0 }),
          row(30, "fleet/s1/b/telemetry", Buffer.from([0xff])),
          row(40, "fleet/s1/a/status", "offline", { retain: true, qos: 1 }),
          row(50, "other/x", "x"),
        ],
        devices: [],
      });
      const at = async (t: number, topic?: string) => store.queryTopicsAt({ at: asEpochMs(t), topic, limit: 100 });
      const before = await at(5);
      expect(before).toEqual({ count: 0, items: [], next: null });
      const mid = await at(35);
      expect(mid.count).toBe(3);
      expect(mid.items.map((m) => [m.topic, m.ts, m.payload, m.qos, m.retain])).toEqual([
        ["fleet/s1/a/status", 10, "online", 1, true],
        ["fleet/s1/a/telemetry", 30, "t30", 0, false],
        ["fleet/s1/b/telemetry", 30, "/w==", 1, false],
      ]);
      expect(mid.items[2]!.encoding).toBe("base64");
      expect((await at(25, "fleet/+/a/#")).items.map((m) => [m.topic, m.payload])).toEqual([
        ["fleet/s1/a/status", "online"],
        ["fleet/s1/a/telemetry", "t20"],
      ]);
      expect((await at(100, "fleet/s1/a/status")).items.map((m) => m.payload)).toEqual(["offline"]);
      // Paged: every topic once, in order, with the same count on every page.
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.queryTopicsAt({ at: asEpochMs(100), limit: 2, cursor });
        expect(page.count).toBe(4);
        seen.push(...page.items.map((m) => m.topic));
        cursor = page.next ?? undefined;
      } while (cursor);
      expect(seen).toEqual(["fleet/s1/a/status", "fleet/s1/a/telemetry", "fleet/s1/b/telemetry", "other/x"]);
      await expect(store.queryTopicsAt({ at: asEpochMs(100), limit: 2, cursor: "bm9wZQ" })).rejects.toThrow(InvalidCursorError);
    });

    it("counts each topic's messages up to the instant, across batches, without redeliveries, and past retention", async () => {
      const DAY = 24 * 3_600_000;
      const day0 = Date.UTC(2026, 0, 1);
      const t = (ts: number, topic: string, seq: number) => row(ts, topic, `m${seq}`, { seq, ident: BigInt(seq) });
      await store.append({ messages: [t(day0 + 10, "c/a", 1), t(day0 + 20, "c/a", 2), t(day0 + 20, "c/b", 3)], devices: [] });
      // The next day: two more on c/a, one of them a redelivery of seq 2 (stored once, counted once).
      await store.append({ messages: [t(day0 + DAY + 10, "c/a", 4), t(day0 + 20, "c/a", 2), t(day0 + DAY + 30, "c/a", 5)], devices: [] });
      const countsAt = async (ts: number) => (await store.queryTopicsAt({ at: asEpochMs(ts), limit: 10 })).items.map((m) => [m.topic, m.count]);
      expect(await countsAt(day0 + 15)).toEqual([["c/a", 1]]);
      expect(await countsAt(day0 + 20)).toEqual([["c/a", 2], ["c/b", 1]]);
      expect(await countsAt(day0 + DAY + 10)).toEqual([["c/a", 3], ["c/b", 1]]);
      expect(await countsAt(day0 + 2 * DAY)).toEqual([["c/a", 4], ["c/b", 1]]);
      // The count is of messages received by then: pruning the first day's rows forgets none of them.
      for (let n = await store.prune(asEpochMs(day0 + DAY), 10); n > 0; n = await store.prune(asEpochMs(day0 + DAY), 10));
      await store.append({ messages: [t(day0 + DAY + 40, "c/a", 6)], devices: [] });
      expect(await countsAt(day0 + 2 * DAY)).toEqual([["c/a", 5]]);
    });

    it("finds a topic's last message days back, before the first message of the instant's own day, and after retention", async () => {
      const DAY = 24 * 3_600_000;
      const day0 = Date.UTC(2026, 0, 1);
      await store.append({
        messages: [row(day0 + 5, "quiet/topic", "day 0"), row(day0 + 3 * DAY + 50_000, "quiet/topic", "day 3", { device: asDeviceId("q1") })],
        devices: [{ id: asDeviceId("q1"), site: "lab", lastSeen: asEpochMs(day0 + 3 * DAY + 50_000) }],
      });
      const payloadAt = async (t: number) => (await store.queryTopicsAt({ at: asEpochMs(t), limit: 10 })).items.map((m) => m.payload);
      expect(await payloadAt(day0 + 2 * DAY)).toEqual(["day 0"]);
      expect(await payloadAt(day0 + 3 * DAY + 10)).toEqual(["day 0"]);
      expect(await payloadAt(day0 + 4 * DAY)).toEqual(["day 3"]);
      expect((await store.listDevicesAt(asEpochMs(day0 + 4 * DAY))).map((d) => [d.id, d.lastSeen])).toEqual([["q1", day0 + 3 * DAY + 50_000]]);
      // Retention to the middle of day 3: the day's later message stays findable.
      for (let n = await store.prune(asEpochMs(day0 + 3 * DAY + 10_000), 10); n > 0; n = await store.prune(asEpochMs(day0 + 3 * DAY + 10_000), 10));
      expect(await payloadAt(day0 + 3 * DAY + 10)).toEqual([]);
      expect(await payloadAt(day0 + 5 * DAY)).toEqual(["day 3"]);
    });

    it("lists devices as they were at an instant: status with its reason, each field's last value, last seen", async () => {
      const id = asDeviceId("arm-7");
      const status = (ts: number, s: "online" | "offline", reason: string) => ({ id, site: "lab", lastSeen: asEpochMs(ts), status: s, statusReason: reason, since: asEpochMs(ts) });
      // As the bridge sends them: a message's fields both as samples and as the device's values.
      const values = (ts: number, v: Record<string, number>) => Object.fromEntries(Object.entries(v).map(([k, value]) => [k, { value, ts: asEpochMs(ts) }]));
      await store.append({ messages: [telemetry(100, "arm-7", { temp: 40, current: 1 }, 1)], devices: [{ ...status(100, "online", "LWT online"), values: values(100, { temp: 40, current: 1 }) }] });
      await store.append({ messages: [telemetry(200, "arm-7", { temp: 41 }, 2)], devices: [{ id, site: "lab", lastSeen: asEpochMs(200), values: { temp: { value: 41, ts: asEpochMs(200), unit: "°C" } } }] });
      await store.append({ messages: [row(300, "fleet/lab/arm-7/status", "offline", { device: id, retain: true })], devices: [status(300, "offline", "LWT offline")] });
      await store.append({ messages: [telemetry(400, "arm-8", { temp: 20 }, 50)], devices: [{ ...status(400, "online", "LWT online"), id: asDeviceId("arm-8"), values: values(400, { temp: 20 }) }] });
      expect(await store.listDevicesAt(asEpochMs(50))).toEqual([]);
      const at250 = await store.listDevicesAt(asEpochMs(250));
      expect(at250).toEqual([
        {
          id, name: "arm-7", group: "lab", site: "lab", convention: "demo", status: "online", statusReason: "LWT online", since: 100, lastSeen: 200,
          fields: ["current", "temp"], values: { temp: { value: 41, ts: 200, unit: "°C" }, current: { value: 1, ts: 100 } }, meta: {},
        },
      ]);
      const at350 = await store.listDevicesAt(asEpochMs(350));
      expect(at350.map((d) => [d.id, d.status, d.statusReason, d.since, d.lastSeen])).toEqual([[id, "offline", "LWT offline", 300, 300]]);
      // Now, the as-of answer is the registry's own.
      expect(await store.listDevicesAt(asEpochMs(1000))).toEqual(await store.listDevices());
    });

    it("answers ping while open", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
