/**
 * The command service on the embedded broker, in process, with its log in a SQLite file: the
 * fast check of its wiring (a device's reply, its echo, its advertisement, its silence). The
 * protocol across brokers is test/integration/commands*.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Command, CommandState } from "../commands/lifecycle";
import { SqliteStore } from "../store/sqlite/store";
import { startAedes, type TestBroker } from "../../test/helpers/brokers";
import { CommandService, type CommandDevice } from "./service";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-command-service-"));
let broker: TestBroker;
let store: SqliteStore;
let service: CommandService;
let device: MqttClient;
let n = 0;
/** Each test's own device, so no test reads another's retained advertisement. */
let pump: string;
const devices = new Map<string, CommandDevice>();

beforeAll(async () => {
  broker = await startAedes();
});
afterAll(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  pump = `pump-${n}`;
  devices.set(pump, { id: pump, site: "lab", status: "online", fields: [] });
  store = new SqliteStore(join(dir, `log-${n++}.db`));
  service = new CommandService({ url: broker.tcpUrl, protocolVersion: 4, log: store.commands, device: async (id) => devices.get(id) ?? null });
  await service.start();
  device = await mqtt.connectAsync(broker.tcpUrl, { clientId: pump });
});
afterEach(async () => {
  // Retained messages outlive the test on the shared broker.
  await device.publishAsync(`fleet/lab/${pump}/commands`, "", { qos: 1, retain: true });
  await device.endAsync();
  await service.stop();
  await store.close();
});

function reaches(id: string, state: CommandState): Promise<Command> {
  return new Promise((resolve) => {
    const check = (c: Command) => {
      if (c.id !== id || c.state !== state) return;
      service.off("change", check);
      resolve(c);
    };
    service.on("change", check);
  });
}

/** Advertises `commands` for the test's device, retained, and waits until the service has read it. */
async function advertise(commands: unknown[]) {
  await device.publishAsync(`fleet/lab/${pump}/commands`, JSON.stringify({ commands }), { qos: 1, retain: true });
  await expect.poll(() => service.definitions(devices.get(pump)!).some((d) => d.source === "advertised")).toBe(true);
}

describe("the command service", () => {
  it("an advertised command is offered, sent at QoS 2, and succeeds on the device's reply, saved so", async () => {
    await advertise([{ name: "prime", confirm: { kind: "reply" } }]);
    await device.subscribeAsync(`fleet/lab/${pump}/cmd/+`, { qos: 2 });
    device.on("message", (topic, payload) => {
      const { id } = JSON.parse(payload.toString()) as { id: string };
      void device.publishAsync(`${topic}/reply`, JSON.stringify({ id, ok: true, result: "primed" }), { qos: 1 });
    });
    const r = await service.submit({ device: pump, name: "prime", args: {}, actor: "ops" });
    if (r.kind !== "send") throw new Error(`not sent: ${r.kind}`);
    const done = await reaches(r.command.id, "succeeded");
    expect(done.result).toBe("primed");
    expect((await store.commands.get(r.command.id))?.state).toBe("succeeded");
    expect(service.status()).toMatchObject({ connected: true, open: 0 });
  });

  it("a command confirmed by a status echo succeeds on the live status, not on a retained one", async () => {
    await device.publishAsync(`fleet/lab/${pump}/status`, "online", { qos: 1, retain: true });
    await advertise([{ name: "wake", confirm: { kind: "echo", stream: "status", equals: "online" } }]);
    const r = await service.submit({ device: pump, name: "wake", args: {}, actor: "ops" });
    if (r.kind !== "send") throw new Error(`not sent: ${r.kind}`);
    const succeeded = reaches(r.command.id, "succeeded");
    // Delivered and still waiting: the retained status it saw on subscribing confirmed nothing.
    await expect.poll(() => service.current(r.command.id)?.state).toBe("delivered");
    await device.publishAsync(`fleet/lab/${pump}/status`, "online", { qos: 1 });
    expect((await succeeded).state).toBe("succeeded");
  });

  it("a command nobody answers times out at its deadline, and an unknown device's is not recorded", async () => {
    await advertise([{ name: "prime" }]);
    const r = await service.submit({ device: pump, name: "prime", args: {}, actor: "ops", timeoutMs: 200 });
    if (r.kind !== "send") throw new Error(`not sent: ${r.kind}`);
    expect((await reaches(r.command.id, "timed_out")).state).toBe("timed_out");
    expect(service.finishedCounts().get("timed_out")).toBe(1);
    expect(await service.submit({ device: "ghost", name: "prime", args: {}, actor: "ops" })).toEqual({ kind: "unknown_device" });
  });
});
