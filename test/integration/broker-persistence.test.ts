/**
 * The embedded broker with its SQLite persistence, in a process of its own
 * (test/helpers/broker-process.ts) that is stopped with SIGTERM or killed with SIGKILL and started
 * again on the same file: what MQTT.js clients with persistent sessions (clean: false) left in the
 * broker is still there.
 *
 * A PUBACK or PUBREC leaves only once its message is queued on disk (lib/broker/publish-before-ack.ts),
 * so the tests below kill the broker after one has come back; the last two kill it at an exact
 * instant instead (test/helpers/kill-point.ts): right after a PUBACK, right after a first commit.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient, type Packet } from "mqtt";
import mqttPacket from "mqtt-packet";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/ports";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-broker-persistence-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
});

interface BrokerProcess {
  proc: ChildProcess;
  port: number;
  url: string;
  file: string;
}

/** Starts the broker process on `file`, with a crash point (test/helpers/kill-point.ts) if named; resolves once it accepts connections. */
async function startBroker(file: string, port: number, killAt?: "puback" | "write"): Promise<BrokerProcess> {
  const proc = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/register-hooks.mjs", "test/helpers/broker-process.ts"], {
    env: { ...process.env, BROKER_PORT: String(port), BROKER_PERSISTENCE_FILE: file, ...(killAt ? { BROKER_SIGKILL_AT: killAt } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
  let out = "";
  const bound = await new Promise<number>((resolve, reject) => {
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /broker listening on (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    proc.once("exit", (code) => reject(new Error(`the broker exited with ${code} before it was ready:\n${out}`)));
  });
  return { proc, port: bound, url: `mqtt://127.0.0.1:${bound}`, file };
}

/** Arms the broker's crash point; resolves once it is. */
async function arm(broker: BrokerProcess): Promise<void> {
  const armed = new Promise<void>((resolve) => broker.proc.stdout!.on("data", (d: Buffer) => d.toString().includes("armed") && resolve()));
  broker.proc.kill("SIGUSR2");
  await armed;
}

/** Resolves with the signal that ended the broker. */
async function died(broker: BrokerProcess): Promise<string | null> {
  const [, signal] = (await once(broker.proc, "exit")) as [number | null, string | null];
  return signal;
}

/** Stops the broker with `signal` and starts it again on the same file and port. */
async function restart(broker: BrokerProcess, signal: "SIGTERM" | "SIGKILL"): Promise<BrokerProcess> {
  const exited = once(broker.proc, "exit");
  broker.proc.kill(signal);
  const [code, sig] = (await exited) as [number | null, string | null];
  // A graceful stop exits 0; a kill leaves the signal as the cause.
  if (signal === "SIGTERM") expect(code).toBe(0);
  else expect(sig).toBe("SIGKILL");
  return startBroker(broker.file, broker.port);
}

/** The CONNACK; a connection closed before it fails. */
function connected(client: MqttClient): Promise<IConnackPacket> {
  return new Promise((resolve, reject) => {
    const closed = () => reject(new Error(`${client.options.clientId} was closed before its CONNACK`));
    client.once("close", closed);
    client.once("connect", (connack) => {
      client.off("close", closed);
      resolve(connack);
    });
  });
}

interface Session {
  client: MqttClient;
  got: IPublishPacket[];
  /** Resolves once `count` messages have been received in all, with the first `count`. */
  received(count: number): Promise<IPublishPacket[]>;
  /** Resolves once a message `pred` takes has been received, with every message up to it. */
  through(pred: (p: IPublishPacket) => boolean): Promise<IPublishPacket[]>;
  sessionPresent: boolean;
}

/** A connected MQTT.js client recording every message, listening before its CONNECT goes out. */
async function session(url: string, clientId: string, opts: IClientOptions = {}): Promise<Session> {
  const client = mqtt.connect(url, { clientId, clean: false, reconnectPeriod: 0, ...opts });
  client.on("error", () => {}); // a killed broker resets the socket
  const got: IPublishPacket[] = [];
  const waiters = new Set<() => boolean>();
  const wait = (upTo: () => number) =>
    new Promise<IPublishPacket[]>((resolve) => {
      const check = () => {
        const n = upTo();
        if (n < 0) return false;
        resolve(got.slice(0, n));
        return true;
      };
      if (!check()) waiters.add(check);
    });
  client.on("message", (_topic, _payload, packet) => {
    got.push(packet);
    for (const check of waiters) if (check()) waiters.delete(check);
  });
  const connack = await connected(client);
  return {
    client,
    got,
    sessionPresent: connack.sessionPresent,
    received: (count) => wait(() => (got.length >= count ? count : -1)),
    through: (pred) => wait(() => {
      const i = got.findIndex(pred);
      return i < 0 ? -1 : i + 1;
    }),
  };
}

const text = (p: IPublishPacket) => p.payload.toString();

describe.each([
  ["a graceful restart", "SIGTERM"],
  ["a SIGKILL", "SIGKILL"],
] as const)("through %s", (_, signal) => {
  it("a retained message, an offline session's subscriptions and its queued QoS 1 and QoS 2 messages are all still there", async () => {
    let broker = await startBroker(join(dir, `offline-${signal}.db`), await freePort());
    const device = `offline-${signal}`;
    const sub = await session(broker.url, device);
    await sub.client.subscribeAsync({ "fleet/lab/+/log": { qos: 1 }, "fleet/lab/+/cmd/#": { qos: 2 } });
    await sub.client.endAsync();

    const pub = await mqtt.connectAsync(broker.url, { clientId: `pub-${signal}`, reconnectPeriod: 0 });
    await pub.publishAsync("fleet/lab/arm-1/status", "online", { qos: 1, retain: true });
    for (const n of [1, 2, 3]) await pub.publishAsync("fleet/lab/arm-1/log", `log ${n}`, { qos: 1 });
    // PUBREC for these comes after their queued copies are committed, and after everything above.
    for (const n of [1, 2]) await pub.publishAsync("fleet/lab/arm-1/cmd/stop", `cmd ${n}`, { qos: 2 });
    await pub.endAsync();

    broker = await restart(broker, signal);

    const back = await session(broker.url, device);
    expect(back.sessionPresent).toBe(true); // [MQTT-3.2.2-2]
    const queued = await back.received(5);
    expect(queued.map((p) => [p.topic, text(p), p.qos])).toEqual([
      ["fleet/lab/arm-1/log", "log 1", 1],
      ["fleet/lab/arm-1/log", "log 2", 1],
      ["fleet/lab/arm-1/log", "log 3", 1],
      ["fleet/lab/arm-1/cmd/stop", "cmd 1", 2],
      ["fleet/lab/arm-1/cmd/stop", "cmd 2", 2],
    ]);
    // Its subscriptions came back with the session: a new message arrives without a SUBSCRIBE,
    // and nothing was queued twice (it would have come before this one).
    const later = await mqtt.connectAsync(broker.url, { clientId: `later-${signal}`, reconnectPeriod: 0 });
    await later.publishAsync("fleet/lab/arm-1/log", "log 4", { qos: 1 });
    expect((await back.received(6)).map(text)).toEqual(["log 1", "log 2", "log 3", "cmd 1", "cmd 2", "log 4"]);

    const fresh = await session(broker.url, `fresh-${signal}`, { clean: true });
    await fresh.client.subscribeAsync("fleet/lab/+/status", { qos: 1 });
    const [retained] = await fresh.received(1);
    expect([retained!.topic, text(retained!), retained!.retain]).toEqual(["fleet/lab/arm-1/status", "online", true]);

    await Promise.all([back.client.endAsync(), later.endAsync(), fresh.client.endAsync()]);
    broker.proc.kill("SIGTERM");
    await once(broker.proc, "exit");
  }, 60_000);
});

/** A bare MQTT 3.1.1 client over TCP, to send a PUBLISH again with the same packet id as a client recovering from a crash does. */
async function rawClient(port: number, clientId: string) {
  const socket = tcpConnect(port, "127.0.0.1");
  socket.on("error", () => {});
  await once(socket, "connect");
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const got: mqttPacket.Packet[] = [];
  const waiters: { match: (p: mqttPacket.Packet) => boolean; resolve: (p: mqttPacket.Packet) => void }[] = [];
  parser.on("packet", (p) => {
    const w = waiters.find((w) => w.match(p));
    if (w) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(p);
    } else got.push(p);
  });
  socket.on("data", (d) => parser.parse(d));
  const next = <C extends mqttPacket.Packet["cmd"]>(cmd: C, messageId?: number) =>
    new Promise<Extract<mqttPacket.Packet, { cmd: C }>>((resolve) => {
      const match = (p: mqttPacket.Packet) => p.cmd === cmd && (messageId === undefined || p.messageId === messageId);
      const early = got.find(match);
      if (early) {
        got.splice(got.indexOf(early), 1);
        resolve(early as Extract<mqttPacket.Packet, { cmd: C }>);
      } else waiters.push({ match, resolve: resolve as (p: mqttPacket.Packet) => void });
    });
  const send = (p: mqttPacket.Packet) => socket.write(mqttPacket.generate(p));
  send({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clientId, clean: false, keepalive: 60 });
  const connack = await next("connack");
  expect(connack.returnCode).toBe(0);
  return { send, next, close: () => socket.destroy() };
}

/** As a client recovering from a crash: `publish` sent again (DUP) with its packet id, and its QoS 2 handshake completed. */
async function resendQoS2(port: number, clientId: string, publish: mqttPacket.IPublishPacket & { messageId: number }): Promise<void> {
  const again = await rawClient(port, clientId);
  again.send({ ...publish, dup: true });
  await again.next("pubrec", publish.messageId);
  again.send({ cmd: "pubrel", messageId: publish.messageId });
  await again.next("pubcomp", publish.messageId);
  again.close();
}

/** `device`'s session back, and every message it receives up to a QoS 2 marker published on `markerTopic` after it connected. */
async function throughMarker(broker: BrokerProcess, device: string, markerTopic: string): Promise<{ back: Session; marker: MqttClient; upToMarker: IPublishPacket[] }> {
  const back = await session(broker.url, device);
  const marker = await mqtt.connectAsync(broker.url, { clientId: `${device}-marker`, reconnectPeriod: 0 });
  await marker.publishAsync(markerTopic, "m", { qos: 2 });
  return { back, marker, upToMarker: await back.through((p) => p.topic === markerTopic) };
}

it("a QoS 1 message sent but not acknowledged, and a QoS 2 one awaiting PUBCOMP, are taken up again after a SIGKILL", async () => {
  let broker = await startBroker(join(dir, "in-flight.db"), await freePort());
  const device = "in-flight";
  // A bare client: it answers the QoS 2 PUBLISH with PUBREC, then acknowledges nothing more.
  const sub = await rawClient(broker.port, device);
  sub.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "fleet/lab/+/log", qos: 1 }, { topic: "fleet/lab/+/cmd/#", qos: 2 }] });
  await sub.next("suback", 1);
  const pub = await mqtt.connectAsync(broker.url, { clientId: "in-flight-pub", reconnectPeriod: 0 });
  await pub.publishAsync("fleet/lab/arm-1/log", "unacknowledged", { qos: 1 });
  await pub.publishAsync("fleet/lab/arm-1/cmd/stop", "awaiting pubcomp", { qos: 2 });
  const log = await sub.next("publish");
  const cmd = await sub.next("publish");
  expect([log.payload.toString(), cmd.payload.toString()]).toEqual(["unacknowledged", "awaiting pubcomp"]);
  sub.send({ cmd: "pubrec", messageId: cmd.messageId });
  // The broker sends PUBREL once it has stored it in place of the PUBLISH.
  await sub.next("pubrel", cmd.messageId);
  pub.end(true);

  broker = await restart(broker, "SIGKILL");
  sub.close();

  // An MQTT.js client with the same id: only the broker knows what was in flight.
  const packets: Packet[] = [];
  const client = mqtt.connect(broker.url, { clientId: device, clean: false, reconnectPeriod: 0 });
  client.on("error", () => {});
  client.on("packetreceive", (p) => packets.push(p));
  const marker = new Promise<void>((resolve) => client.on("message", (topic) => topic === "fleet/lab/marker/log" && resolve()));
  await connected(client);
  const after = await mqtt.connectAsync(broker.url, { clientId: "in-flight-after", reconnectPeriod: 0 });
  await after.publishAsync("fleet/lab/marker/log", "m", { qos: 1 });
  await marker;

  const seen = packets.filter((p) => p.cmd === "publish" || p.cmd === "pubrel").map((p) => (p.cmd === "publish" ? [p.cmd, p.topic, p.payload.toString(), p.messageId] : [p.cmd, p.messageId]));
  // The QoS 1 message again with its packet id; of the QoS 2 one only its PUBREL, then the marker.
  expect(seen.slice(0, 2)).toEqual([
    ["publish", "fleet/lab/arm-1/log", "unacknowledged", log.messageId],
    ["pubrel", cmd.messageId],
  ]);
  expect(seen[2]?.[1]).toBe("fleet/lab/marker/log");

  await Promise.all([client.endAsync(), after.endAsync()]);
  broker.proc.kill("SIGTERM");
  await once(broker.proc, "exit");
}, 60_000);

it("a QoS 2 PUBLISH sent again with the same packet id after a SIGKILL before PUBREL is delivered once [MQTT-4.3.3-2]", async () => {
  let broker = await startBroker(join(dir, "qos2-resend.db"), await freePort());
  const device = "qos2-resend-sub";
  const topic = "fleet/lab/arm-2/cmd/move_joint";
  const sub = await session(broker.url, device);
  await sub.client.subscribeAsync("fleet/lab/+/cmd/#", { qos: 2 });

  const publisher = await rawClient(broker.port, "qos2-resend-pub");
  const publish = { cmd: "publish", topic, payload: Buffer.from('{"id":"c1","joint":2,"angle":30}'), qos: 2, messageId: 77, retain: false, dup: false } as const;
  publisher.send(publish);
  await publisher.next("pubrec", 77);
  // Delivered once already, the broker holding packet id 77 until PUBREL.
  await sub.received(1);

  broker = await restart(broker, "SIGKILL");
  sub.client.end(true);
  publisher.close();

  await resendQoS2(broker.port, "qos2-resend-pub", publish);

  // Whatever the restored session replays comes before the marker: the command is not among it.
  const { back, marker, upToMarker } = await throughMarker(broker, device, "fleet/lab/arm-2/cmd/marker");
  expect(upToMarker.map((p) => p.topic)).toEqual(["fleet/lab/arm-2/cmd/marker"]);
  expect([...sub.got, ...back.got].filter((p) => p.topic === topic)).toHaveLength(1);

  await Promise.all([back.client.endAsync(), marker.endAsync()]);
  broker.proc.kill("SIGTERM");
  await once(broker.proc, "exit");
}, 60_000);

it("a QoS 1 message whose PUBACK was the broker's last act before a SIGKILL is queued for the offline session after the restart", async () => {
  const file = join(dir, "puback-kill.db");
  let broker = await startBroker(file, await freePort(), "puback");
  const device = "puback-kill-sub";
  const sub = await session(broker.url, device);
  await sub.client.subscribeAsync("fleet/lab/+/log", { qos: 1 });
  await sub.client.endAsync();

  const pub = mqtt.connect(broker.url, { clientId: "puback-kill-pub", reconnectPeriod: 0 });
  pub.on("error", () => {});
  await connected(pub);
  let acknowledged = false;
  pub.on("packetreceive", (p) => (acknowledged ||= p.cmd === "puback"));
  await arm(broker);
  const dying = died(broker);
  pub.publish("fleet/lab/arm-1/log", "acknowledged", { qos: 1 });
  // What the broker wrote before it died arrives before the connection's end.
  await new Promise<void>((resolve) => pub.once("close", () => resolve()));
  expect(await dying).toBe("SIGKILL");
  expect(acknowledged, "the publisher got its PUBACK").toBe(true);
  pub.end(true);

  broker = await startBroker(file, broker.port);
  const { back, marker, upToMarker } = await throughMarker(broker, device, "fleet/lab/marker/log");
  expect(upToMarker.map(text)).toEqual(["acknowledged", "m"]);

  await Promise.all([back.client.endAsync(), marker.endAsync()]);
  broker.proc.kill("SIGTERM");
  await once(broker.proc, "exit");
}, 60_000);

it("a QoS 2 PUBLISH whose broker is SIGKILLed right after its first commit is delivered once when sent again [MQTT-4.3.3-2]", async () => {
  const file = join(dir, "qos2-first-commit.db");
  let broker = await startBroker(file, await freePort(), "write");
  const device = "first-commit-sub";
  const topic = "fleet/lab/arm-3/cmd/stop";
  const sub = await session(broker.url, device);
  await sub.client.subscribeAsync("fleet/lab/+/cmd/#", { qos: 2 });
  await sub.client.endAsync();

  const publisher = await rawClient(broker.port, "first-commit-pub");
  await arm(broker);
  const dying = died(broker);
  const publish = { cmd: "publish", topic, payload: Buffer.from('{"id":"c2"}'), qos: 2, messageId: 78, retain: false, dup: false } as const;
  // The first commit that holds anything of this PUBLISH is the last thing the broker does.
  publisher.send(publish);
  expect(await dying).toBe("SIGKILL");
  publisher.close();

  broker = await startBroker(file, broker.port);
  await resendQoS2(broker.port, "first-commit-pub", publish);

  const { back, marker, upToMarker } = await throughMarker(broker, device, "fleet/lab/arm-3/cmd/marker");
  expect(upToMarker.map((p) => p.topic)).toEqual([topic, "fleet/lab/arm-3/cmd/marker"]);

  await Promise.all([back.client.endAsync(), marker.endAsync()]);
  broker.proc.kill("SIGTERM");
  await once(broker.proc, "exit");
}, 60_000);
