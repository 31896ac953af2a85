/**
 * Commands to devices of every convention, end to end on real brokers: the simulated devices
 * (lib/sim/conventions) speak their projects' wire formats, the bridge reads them into the store
 * by their conventions, and the command service writes each request as the device's convention
 * does and follows it to `succeeded` on the device's own echo. Sparkplug's host side is proved
 * here too: one rebirth request for one seq gap, and the host's retained STATE.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { get } from "sparkplug-payload";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Bridge } from "../../lib/bridge/bridge";
import { CommandService } from "../../lib/command-service/service";
import type { Command } from "../../lib/commands/lifecycle";
import { asEpochMs, type DeviceWithValues } from "../../lib/devices/model";
import { edgeNodeDeviceId } from "../../lib/devices/conventions/sparkplug";
import { summarizeDelivery } from "../../lib/store/delivery";
import { ConventionFleet, type SimConvention } from "../../lib/sim/conventions";
import { SqliteStore } from "../../lib/store/sqlite/store";
import { BROKERS, type TestBroker } from "../helpers/brokers";
import { waitFor } from "../helpers/wait-for";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-convention-commands-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const codec = get("spBv1.0")!;

/** Polls the store (another thread commits to it) until `find` has an answer; the answer. */
async function until<T>(what: string, find: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
/** Sent after the stream, on the watched filter: what came before it has come. */
const MARKER = "spBv1.0/gap/NCMD/zz-marker";

/** One command per simulated kind: which device, which command and arguments. */
const CASES: { kind: SimConvention; devices?: number; device: (d: DeviceWithValues) => boolean; command: string; args: Record<string, unknown> }[] = [
  // The simulated bridge makes every third device a plug.
  { kind: "z2m", devices: 3, device: (d) => d.convention === "zigbee2mqtt" && (d.meta.commands ?? []).some((c) => c.name === "state"), command: "state", args: { state: "ON" } },
  { kind: "tasmota", device: (d) => d.convention === "tasmota", command: "Power1", args: { state: "ON" } },
  { kind: "homie", device: (d) => d.convention === "homie", command: "switch_on", args: { value: true } },
  { kind: "sparkplug", device: (d) => d.convention === "sparkplug" && d.id.split(".").length === 4, command: "Outputs/LED", args: { value: true } },
];

// Devices start, describe themselves, and are read by the bridge before each command: on two
// busy cores that takes longer than the suite's default.
describe.each(BROKERS)("convention commands on %s", { timeout: 60_000 }, (brokerName, startBroker) => {
  let broker: TestBroker;
  let store: SqliteStore;
  let bridge: Bridge;
  let service: CommandService;
  const fleets: ConventionFleet[] = [];
  const hostId = `fleetscope-host-${n++}`;

  beforeAll(async () => {
    broker = await startBroker();
    store = new SqliteStore(join(dir, `store-${n++}.db`));
    bridge = new Bridge({ url: broker.tcpUrl, store, clientId: `cc-bridge-${n++}`, spoolPath: join(dir, `spool-${n++}.db`), sparkplugHostId: hostId });
    await bridge.start();
    service = new CommandService({
      url: broker.tcpUrl,
      protocolVersion: brokerName === "Mosquitto" ? 5 : 4,
      log: store.commands,
      device: async (id) => {
        const d = await store.getDevice(id as DeviceWithValues["id"]);
        return d && { id: d.id, site: d.site, status: d.status, fields: d.fields, convention: d.convention, name: d.name, meta: d.meta };
      },
      conventions: bridge.interpreter,
    });
    await service.start();
  });
  afterAll(async () => {
    await service?.stop();
    await bridge?.stop();
    await store?.close();
    // Devices leave retained descriptions and STATE: this broker is the test's own and goes with them.
    await broker?.stop();
  });

  afterEach(async () => {
    // One kind at a time on the broker: the next test's devices are not slowed by the last one's.
    for (const f of fleets.splice(0)) await f.stop();
  });

  it.each(CASES.map((c) => [c.kind, c] as const))("a %s command reaches succeeded by the device's echo", async (_k, c) => {
    const fleet = new ConventionFleet({ url: broker.tcpUrl, convention: c.kind, devices: c.devices ?? 1, rateHz: 5 });
    fleets.push(fleet);
    await fleet.start();
    const target = await until(`a ${c.kind} device with its ${c.command} command in the store`, async () =>
      (await store.listDevices()).find((d) => c.device(d) && (d.meta.commands ?? []).some((x) => x.name === c.command)),
    );
    const decision = await service.submit({ device: target.id, name: c.command, args: c.args, actor: "test" });
    expect(decision.kind, JSON.stringify(decision)).toBe("send");
    const id = (decision as { command: Command }).command.id;
    const done = await new Promise<Command>((resolve) => {
      const check = (cmd: Command) => cmd.id === id && ["succeeded", "failed", "timed_out"].includes(cmd.state) && resolve(cmd);
      service.on("change", check);
    });
    expect(done.state, JSON.stringify(done.events)).toBe("succeeded");
    expect(done.transitions.map((t) => t.state)).toContain("sent");
  });

  it("a Sparkplug seq gap makes exactly one rebirth request, and the host's STATE is retained online", async () => {
    const watcher = await mqtt.connectAsync(broker.tcpUrl, { clientId: `cc-watch-${n++}` });
    const rebirths: string[] = [];
    const states: string[] = [];
    let marked = false;
    watcher.on("message", (topic, payload) => {
      if (topic === MARKER) marked = true;
      else if (topic.startsWith("spBv1.0/gap/NCMD/")) {
        const m = codec.decodePayload(payload).metrics?.find((x) => x.name === "Node Control/Rebirth");
        if (m?.value === true) rebirths.push(topic);
      }
      if (topic === `spBv1.0/STATE/${hostId}`) states.push(payload.toString());
    });
    await watcher.subscribeAsync(["spBv1.0/gap/NCMD/#", `spBv1.0/STATE/${hostId}`], { qos: 1 });
    try {
      await waitFor("the host's retained STATE", () => states.length > 0);
      expect(JSON.parse(states[0]!)).toMatchObject({ online: true, timestamp: expect.any(Number) });
      // A node of our own, by hand: NBIRTH seq 0, NDATA seq 1, then seq 4 (2 and 3 lost), then 5.
      const edge = await mqtt.connectAsync(broker.tcpUrl, { clientId: `cc-edge-${n++}` });
      const node = (seq: number, verb: string, metrics: object[]) =>
        edge.publishAsync(`spBv1.0/gap/${verb}/edge-1`, Buffer.from(codec.encodePayload({ timestamp: Date.now(), seq, metrics } as Parameters<typeof codec.encodePayload>[0])), { qos: 0 });
      await node(0, "NBIRTH", [
        { name: "bdSeq", type: "Int64", value: 0 },
        { name: "Node Control/Rebirth", type: "Boolean", value: false },
        { name: "temp", alias: 1, type: "Float", value: 20 },
      ]);
      await node(1, "NDATA", [{ alias: 1, type: "Float", value: 21 }]);
      await node(4, "NDATA", [{ alias: 1, type: "Float", value: 22 }]);
      await node(5, "NDATA", [{ alias: 1, type: "Float", value: 23 }]);
      await node(9, "NDATA", [{ alias: 1, type: "Float", value: 24 }]); // a second gap, within the rate limit
      await until("the last NDATA stored", async () => (await store.queryMessages({ topic: "spBv1.0/gap/NDATA/edge-1", limit: 10 })).messages.length >= 4 || undefined);
      // The bridge asks while it decodes, before it commits: once all is stored, a marker sent
      // now arrives after every request it made.
      await edge.publishAsync(MARKER, "end", { qos: 1 });
      await waitFor("the marker", () => marked);
      expect(rebirths).toEqual(["spBv1.0/gap/NCMD/edge-1"]);
      // Delivery counts the edge node's one counter: 0, 1, 4, 5, 9 are five received, five lost.
      const d = await store.queryDelivery({ device: edgeNodeDeviceId("gap", "edge-1"), from: asEpochMs(0), to: asEpochMs(Date.now() + 1000) });
      expect(summarizeDelivery(d.streams, d.duplicates)).toMatchObject({ received: 5, lost: 5 });
      await edge.endAsync();
    } finally {
      await watcher.endAsync();
    }
  });
});
