/**
 * Commands end to end on real brokers: the service records, publishes at QoS 2 and follows each
 * command until the demo arm (lib/sim) confirms it, fails it, or stays silent. On Mosquitto the
 * whole exchange is MQTT 5: the request carries Response Topic and Correlation Data, and a reply
 * that names its command only by Correlation Data still confirms it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type IPublishPacket } from "mqtt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CommandService, type CommandDevice } from "../../lib/command-service/service";
import { sampleCommand } from "../helpers/commands";
import { applyInput, isFinal, type Command, type CommandState } from "../../lib/commands/lifecycle";
import { Fleet } from "../../lib/sim/fleet";
import { SqliteStore } from "../../lib/store/sqlite/store";
import { THREE_BROKERS, type TestBroker } from "../helpers/brokers";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-commands-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const ARM_FIELDS = ["current", "joints.0", "speed", "temp"];

/** Resolves with the command once the service has saved it in a state that `done` accepts. */
function reaches(service: CommandService, id: string, done: (c: Command) => boolean): Promise<Command> {
  return new Promise((resolve) => {
    const check = (c: Command) => {
      if (c.id !== id || !done(c)) return;
      service.off("change", check);
      resolve(c);
    };
    service.on("change", check);
  });
}
const reachesState = (service: CommandService, id: string, state: CommandState) => reaches(service, id, (c) => c.state === state);

describe.each(THREE_BROKERS)("commands against %s", (brokerName, startBroker) => {
  const protocolVersion = brokerName === "Mosquitto" ? 5 : 4;
  let broker: TestBroker;
  let store: SqliteStore;
  let service: CommandService;
  let devices: Map<string, CommandDevice>;
  const fleets: Fleet[] = [];

  const startService = async () => {
    const s = new CommandService({ url: broker.tcpUrl, protocolVersion, log: store.commands, device: async (id) => devices.get(id) ?? null });
    await s.start();
    return s;
  };
  /** Arms named `<prefix>-01…`, on site "lab", with the given fault shares. */
  const startArms = async (prefix: string, faults = { failures: 0, lostReplies: 0 }) => {
    // Fleet names arms arm-01…; each test gets its own site so tests never answer for each other.
    const site = `${prefix}-${n++}`;
    const fleet = new Fleet({ url: broker.tcpUrl, devices: 1, rateHz: 20, sites: [site], faults, protocolVersion, rebootMs: 100 });
    fleets.push(fleet);
    await fleet.start();
    devices.set("arm-01", { id: "arm-01", site, status: "online", fields: ARM_FIELDS });
    return site;
  };

  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker.stop();
  });
  beforeEach(async () => {
    devices = new Map();
    store = new SqliteStore(join(dir, `commands-${n++}.db`));
    service = await startService();
  });
  afterEach(async () => {
    await Promise.all(fleets.splice(0).map((f) => f.stop()));
    await service.stop();
    await store.close();
  });

  it("a move_joint goes queued → sent → delivered → succeeded with the broker's acknowledgement recorded (PUBREC, or PUBACK where it grants QoS 1), and is stored so", async () => {
    await startArms("ok");
    const r = await service.submit({ device: "arm-01", name: "move_joint", args: { joint: 2, angle: 45 }, actor: "ops" });
    if (r.kind !== "send") throw new Error(`not sent: ${r.kind}`);
    const done = await reaches(service, r.command.id, (c) => isFinal(c.state));
    expect(done.state).toBe("succeeded");
    expect(done.transitions.map((t) => t.state)).toEqual(expect.arrayContaining(["queued", "sent", "succeeded"]));
    // RabbitMQ answers a QoS 2 PUBLISH with PUBACK: recorded as such, never as a PUBCOMP.
    const downgraded = (broker.maxQos ?? 2) < 2;
    expect(done.events.map((e) => e.type)).toEqual(expect.arrayContaining(["published", downgraded ? "puback" : "pubrec", "reply"]));
    expect(done.result).toEqual({ joint: 2, target: 45 });
    // The store holds it as announced, and PUBCOMP (before or after the reply) is in its record.
    await expect.poll(async () => (await store.commands.get(r.command.id))?.events.some((e) => e.type === (downgraded ? "puback" : "pubcomp"))).toBe(true);
    if (downgraded) expect((await store.commands.get(r.command.id))!.events.some((e) => e.type === "pubcomp" || e.type === "pubrec")).toBe(false);
    expect((await store.commands.get(r.command.id))!.state).toBe("succeeded");
  });

  it("a drive fault fails the command with the arm's words", async () => {
    await startArms("fault", { failures: 1, lostReplies: 0 });
    const r = await service.submit({ device: "arm-01", name: "move_joint", args: { joint: 1, angle: 10 }, actor: "ops" });
    if (r.kind !== "send") throw new Error(r.kind);
    const done = await reaches(service, r.command.id, (c) => isFinal(c.state));
    expect(done).toMatchObject({ state: "failed", error: expect.stringMatching(/drive fault/) });
  });

  it("a lost reply times the command out after it was delivered, and the store agrees", async () => {
    await startArms("lost", { failures: 0, lostReplies: 1 });
    const r = await service.submit({ device: "arm-01", name: "move_joint", args: { joint: 1, angle: 10 }, actor: "ops", timeoutMs: 600 });
    if (r.kind !== "send") throw new Error(r.kind);
    const done = await reachesState(service, r.command.id, "timed_out");
    expect(done.transitions.map((t) => t.state)).toEqual(["queued", "sent", "delivered", "timed_out"]);
    expect((await store.commands.get(r.command.id))!.state).toBe("timed_out");
  });

  it("an offline arm's move_joint is rejected and recorded, never sent", async () => {
    await startArms("off");
    devices.get("arm-01")!.status = "offline";
    const r = await service.submit({ device: "arm-01", name: "move_joint", args: { joint: 1, angle: 10 }, actor: "ops" });
    expect(r.kind).toBe("offline");
    const stored = (await store.commands.list({ limit: 5 })).commands[0]!;
    expect(stored).toMatchObject({ state: "rejected", error: "arm-01 is offline" });
    expect(stored.events.some((e) => e.type === "published")).toBe(false);
  });

  it("set_speed is confirmed by the arm's telemetry echoing the new speed", async () => {
    await startArms("echo");
    const r = await service.submit({ device: "arm-01", name: "set_speed", args: { percent: 37 }, actor: "ops" });
    if (r.kind !== "send") throw new Error(r.kind);
    const done = await reaches(service, r.command.id, (c) => isFinal(c.state));
    expect(done.state).toBe("succeeded");
    expect(done.transitions.at(-1)!.note).toBe("speed = 37");
    // The arm's ok reply may come before or after its telemetry shows the speed: it never decides.
    expect(done.events.filter((e) => e.type === "reply").every((e) => e.effect === "accepted; waiting for the echo")).toBe(true);
  });

  it("reboot is confirmed when the arm says online again, live, not by its retained status", async () => {
    await startArms("boot");
    const r = await service.submit({ device: "arm-01", name: "reboot", args: {}, actor: "ops" });
    if (r.kind !== "send") throw new Error(r.kind);
    const done = await reaches(service, r.command.id, (c) => isFinal(c.state));
    expect(done.state).toBe("succeeded");
    expect(done.transitions.at(-1)!.note).toBe("status online");
    // The ok reply came before the arm went away; only its return confirmed the command.
    expect(done.transitions.at(-1)!.at).toBeGreaterThan(done.events.find((e) => e.type === "reply")!.at);
  });

  it("a retried request with the same key returns the same command and sends nothing new; other arguments are told apart", async () => {
    await startArms("key");
    const req = { device: "arm-01", name: "move_joint", args: { joint: 0, angle: 5 }, actor: "ops", key: "k-1" };
    const first = await service.submit(req);
    if (first.kind !== "send") throw new Error(first.kind);
    const again = await service.submit(req);
    expect(again).toMatchObject({ kind: "existing", same: true, command: { id: first.command.id } });
    expect(await service.submit({ ...req, args: { joint: 0, angle: 6 } })).toMatchObject({ kind: "existing", same: false });
    await reaches(service, first.command.id, (c) => isFinal(c.state));
    expect((await store.commands.list({ limit: 10 })).commands).toHaveLength(1);
  });

  it("a restarted service sends a command recorded but never sent, and times out one whose deadline passed", async () => {
    const site = await startArms("resume");
    await service.stop();
    const base = { site, topic: `fleet/${site}/arm-01/cmd/move_joint` };
    const pending = sampleCommand({ ...base, args: { joint: 3, angle: 12 }, createdAt: Date.now(), timeoutMs: 10_000 });
    const expired = applyInput(sampleCommand({ ...base, args: { joint: 3, angle: 1 }, createdAt: Date.now() - 60_000, timeoutMs: 1_000 }), { type: "published", at: Date.now() - 59_000 });
    await store.commands.create([pending, expired]);
    await store.commands.save([expired]);
    // What the store says as the resent command reaches a subscriber of its topic.
    const watcher = await mqtt.connectAsync(broker.tcpUrl, { protocolVersion });
    const recordedAtDelivery = new Promise<string[] | undefined>((resolve) => watcher.on("message", () => void store.commands.get(pending.id).then((c) => resolve(c?.events.map((e) => e.type)))));
    await watcher.subscribeAsync(base.topic, { qos: 1 });
    service = new CommandService({ url: broker.tcpUrl, protocolVersion, log: store.commands, device: async (id) => devices.get(id) ?? null });
    const timedOut = reachesState(service, expired.id, "timed_out");
    const succeeded = reachesState(service, pending.id, "succeeded");
    await service.start();
    const [, done] = await Promise.all([timedOut, succeeded]);
    expect(await store.commands.open()).toEqual([]);
    // The run before may have sent it (its `sent` is a lazy write): the resend is on record before it
    // goes out, and the PUBLISH sent from MQTT.js' offline store is still followed, PUBREC and all.
    expect(await recordedAtDelivery).toEqual(["resent"]);
    expect(done.events.map((e) => e.type)).toEqual(expect.arrayContaining(["resent", "published", (broker.maxQos ?? 2) < 2 ? "puback" : "pubrec", "reply"]));
    await watcher.endAsync();
  });

  it("a late reply after the timeout, a duplicate reply and a reply for an unknown id are recorded and change nothing", async () => {
    // A device of the test's own that answers twice, after the command's deadline.
    const site = `late-${n++}`;
    devices.set("dev-late", { id: "dev-late", site, status: "online", fields: ["joints.0"] });
    const device = await mqtt.connectAsync(broker.tcpUrl, { clientId: `late-${n++}`, protocolVersion });
    await device.subscribeAsync(`fleet/${site}/dev-late/cmd/+`, { qos: 2 });
    const r = await service.submit({ device: "dev-late", name: "stop", args: {}, actor: "ops", timeoutMs: 300 });
    if (r.kind !== "send") throw new Error(r.kind);
    await reachesState(service, r.command.id, "timed_out");
    const lateAndDuplicate = reaches(service, r.command.id, (c) => c.events.filter((e) => e.type === "reply").length === 2);
    const reply = JSON.stringify({ id: r.command.id, ok: true, result: {} });
    await device.publishAsync(`fleet/${site}/dev-late/cmd/stop/reply`, reply, { qos: 1 });
    await device.publishAsync(`fleet/${site}/dev-late/cmd/stop/reply`, reply, { qos: 1 });
    const c = await lateAndDuplicate;
    expect(c.state).toBe("timed_out");
    expect(c.events.filter((e) => e.type === "reply").map((e) => e.effect)).toEqual(["late reply, ignored", "late reply, ignored"]);

    await device.publishAsync(`fleet/${site}/dev-late/cmd/stop/reply`, JSON.stringify({ id: "nobody-sent-this", ok: true }), { qos: 1 });
    await expect.poll(async () => (await store.commands.unmatched(5)).map((u) => u.replyId)).toContain("nobody-sent-this");
    await device.endAsync();
  });

  it("a reply sent while the service is down waits at the broker in its session and confirms the command once it is back", async () => {
    const site = `away-${n++}`;
    devices.set("dev-away", { id: "dev-away", site, status: "online", fields: ["joints.0"] });
    const device = await mqtt.connectAsync(broker.tcpUrl, { clientId: `away-${n++}`, protocolVersion });
    const requests: { id: string }[] = [];
    device.on("message", (_t, payload) => requests.push(JSON.parse(payload.toString()) as { id: string }));
    await device.subscribeAsync(`fleet/${site}/dev-away/cmd/+`, { qos: 2 });
    await service.stop();
    const clientId = `fleetscope-commands-test-${n++}`;
    const withSession = () => new CommandService({ url: broker.tcpUrl, protocolVersion, clientId, log: store.commands, device: async (id) => devices.get(id) ?? null });
    service = withSession();
    await service.start();
    const r = await service.submit({ device: "dev-away", name: "stop", args: {}, actor: "ops", timeoutMs: 30_000 });
    if (r.kind !== "send") throw new Error(r.kind);
    await reachesState(service, r.command.id, "delivered");
    await expect.poll(() => requests.length).toBe(1);
    await service.stop();
    // The device answers while no command service is connected.
    await device.publishAsync(`fleet/${site}/dev-away/cmd/stop/reply`, JSON.stringify({ id: requests[0]!.id, ok: true, result: "held" }), { qos: 1 });
    service = withSession();
    const succeeded = reachesState(service, r.command.id, "succeeded");
    await service.start();
    expect((await succeeded).result).toBe("held");
    await device.endAsync();
  });

  if (protocolVersion === 5) {
    it("MQTT 5: the request carries Response Topic and Correlation Data, and a reply naming its command only by Correlation Data confirms it", async () => {
      const site = `v5-${n++}`;
      devices.set("dev-v5", { id: "dev-v5", site, status: "online", fields: ["joints.0"] });
      const device = await mqtt.connectAsync(broker.tcpUrl, { clientId: `v5-${n++}`, protocolVersion: 5 });
      const requests: IPublishPacket[] = [];
      device.on("message", (_topic, _payload, packet) => {
        requests.push(packet);
        const { responseTopic, correlationData } = packet.properties ?? {};
        // No id in the payload: only the correlation data says which command this answers.
        device.publish(responseTopic!, JSON.stringify({ ok: true, result: "stopped" }), { qos: 1, properties: { correlationData } });
      });
      await device.subscribeAsync(`fleet/${site}/dev-v5/cmd/+`, { qos: 2 });
      const r = await service.submit({ device: "dev-v5", name: "stop", args: {}, actor: "ops" });
      if (r.kind !== "send") throw new Error(r.kind);
      const done = await reachesState(service, r.command.id, "succeeded");
      expect(done.result).toBe("stopped");
      expect(requests[0]!.properties).toMatchObject({ responseTopic: `fleet/${site}/dev-v5/cmd/stop/reply` });
      // The broker forwards the remaining expiry: at most the command's 10 s timeout.
      expect(requests[0]!.properties!.messageExpiryInterval).toBeGreaterThan(0);
      expect(requests[0]!.properties!.messageExpiryInterval).toBeLessThanOrEqual(10);
      expect(requests[0]!.properties!.correlationData!.toString()).toBe(r.command.id);
      expect(JSON.parse(requests[0]!.payload.toString())).toEqual({ id: r.command.id, args: {} });
      expect(service.status().protocolVersion).toBe(5);
      await device.endAsync();
    });
  }
});
