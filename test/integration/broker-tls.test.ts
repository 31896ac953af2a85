/**
 * The embedded broker's TLS listener with real clients: mosquitto_pub and MQTT.js trusting its
 * self-signed certificate, a client that trusts another CA refused, and devices that log in by a
 * client certificate's CN (FLEETSCOPE_DEVICE_CREDENTIALS `id:cert`).
 */
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fleetAccess } from "../../lib/broker/access";
import { DeviceCredentials } from "../../lib/config/device-credentials";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../lib/broker/embedded";
import { serviceCredentials } from "../../lib/broker/service-credentials";
import { brokerCertificate, SELF_SIGNED_KEY, type TlsCertificate } from "../../lib/broker/tls-certificate";
import { makeTestPki, type TestPki } from "../helpers/certificates";

const run = promisify(execFile);
let dir: string;
let certificate: TlsCertificate;
let pki: TestPki;
let other: TestPki;
let broker: EmbeddedBroker;
const refusals: string[] = [];

/** Every message the broker routes, over plain TCP, as the bridge sees them. */
let watcher: MqttClient;
const arrival = (topic: string) =>
  new Promise<string>((resolve) => {
    const on = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      watcher.off("message", on);
      resolve(payload.toString());
    };
    watcher.on("message", on);
  });

const tlsUrl = () => `mqtts://localhost:${broker.tls!.port}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "fleetscope-tls-"));
  certificate = await brokerCertificate({ dir });
  pki = await makeTestPki();
  other = await makeTestPki("Somebody else's CA");
  const devices = new DeviceCredentials().add("arm-07", "cert").add("arm-02", "arm-02-password");
  const access = fleetAccess({ devices, anonymousDevices: false, log: (l) => refusals.push(l) });
  broker = await startEmbeddedBroker({ tcpPort: 0, host: "127.0.0.1", access, tls: { port: 0, cert: certificate.cert, key: certificate.key, ca: pki.ca.cert } });
  watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.tcpPort}`, { ...serviceCredentials(), clientId: "tls-test-watcher", reconnectPeriod: 0 });
  await watcher.subscribeAsync("fleet/#", { qos: 1 });
});

afterAll(async () => {
  await watcher?.endAsync();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
  pki?.remove();
  other?.remove();
});

describe("the self-signed certificate made on first start", () => {
  it("is kept: a second start finds the same certificate, and the private key is the owner's only", async () => {
    const again = await brokerCertificate({ dir });
    expect(again.fingerprint).toBe(certificate.fingerprint);
    expect(certificate.fingerprint).toBe(new X509Certificate(certificate.cert).fingerprint256);
    expect(certificate.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(statSync(join(dir, SELF_SIGNED_KEY)).mode & 0o777).toBe(0o600);
  });
});

describe("the TLS listener", () => {
  it("takes a message from mosquitto_pub --cafile with the broker's certificate", async () => {
    const topic = "fleet/tls/arm-02/telemetry";
    const got = arrival(topic);
    await run("mosquitto_pub", ["-h", "localhost", "-p", String(broker.tls!.port), "--cafile", certificate.certFile, "-u", "arm-02", "-P", "arm-02-password", "-t", topic, "-m", "over-tls", "-q", "1"]);
    expect(await got).toBe("over-tls");
  });

  it("takes MQTT.js with the certificate as its CA", async () => {
    const client = await mqtt.connectAsync(tlsUrl(), { ca: certificate.cert, username: "arm-02", password: "arm-02-password", reconnectPeriod: 0 });
    const got = arrival("fleet/tls/arm-02/log");
    await client.publishAsync("fleet/tls/arm-02/log", "mqtt.js", { qos: 1 });
    expect(await got).toBe("mqtt.js");
    await client.endAsync();
  });

  it("is refused by a client that trusts another CA, and by mosquitto_pub without the certificate", async () => {
    const client = mqtt.connect(tlsUrl(), { ca: other.ca.cert, reconnectPeriod: 0, connectTimeout: 5000 });
    const err = await new Promise<Error>((resolve) => client.once("error", resolve));
    client.end(true);
    expect(err.message).toMatch(/self[- ]signed|unable to verify|unable to get/i);
    await expect(run("mosquitto_pub", ["-h", "localhost", "-p", String(broker.tls!.port), "--cafile", other.caFile, "-t", "fleet/tls/x/log", "-m", "no"])).rejects.toThrow();
  });
});

describe("client certificates (MQTT_TLS_CA)", () => {
  it("name a device by their CN: it may publish its own topics with no password", async () => {
    const cert = await pki.client("arm-07");
    const client = await mqtt.connectAsync(tlsUrl(), { ca: certificate.cert, cert: cert.cert, key: cert.key, clientId: "arm-07", reconnectPeriod: 0 });
    const got = arrival("fleet/tls/arm-07/telemetry");
    await client.publishAsync("fleet/tls/arm-07/telemetry", '{"seq":1}', { qos: 1 });
    expect(await got).toBe('{"seq":1}');
    await client.endAsync();
  });

  it("work from mosquitto_pub --cert --key", async () => {
    const cert = await pki.client("arm-07");
    const topic = "fleet/tls/arm-07/status";
    const got = arrival(topic);
    await run("mosquitto_pub", ["-h", "localhost", "-p", String(broker.tls!.port), "--cafile", certificate.certFile, "--cert", cert.certFile, "--key", cert.keyFile, "-t", topic, "-m", "online", "-q", "1"]);
    expect(await got).toBe("online");
  });

  it("confine the device to its own topics, as a password would", async () => {
    const cert = await pki.client("arm-07");
    const client = await mqtt.connectAsync(tlsUrl(), { ca: certificate.cert, cert: cert.cert, key: cert.key, reconnectPeriod: 0 });
    client.on("error", () => undefined);
    const closed = new Promise<void>((r) => client.once("close", () => r()));
    client.publish("fleet/tls/arm-02/telemetry", "not mine", { qos: 1 });
    await closed;
    expect(refusals.some((l) => l.includes("fleet/tls/arm-02/telemetry"))).toBe(true);
    client.end(true);
  });

  it("with a CN no `cert` entry names, or a username that disagrees with the CN, are not a login", async () => {
    const stranger = await pki.client("arm-99");
    await expect(mqtt.connectAsync(tlsUrl(), { ca: certificate.cert, cert: stranger.cert, key: stranger.key, username: "arm-99", password: "whatever-it-is", reconnectPeriod: 0 })).rejects.toThrow(/bad user|not authorized/i);
    const arm07 = await pki.client("arm-07");
    await expect(mqtt.connectAsync(tlsUrl(), { ca: certificate.cert, cert: arm07.cert, key: arm07.key, username: "arm-02", password: "wrong-password", reconnectPeriod: 0 })).rejects.toThrow(/bad user|not authorized/i);
  });

  it("signed by another CA are refused before MQTT starts", async () => {
    const forged = await other.client("arm-07");
    const client = mqtt.connect(tlsUrl(), { ca: certificate.cert, cert: forged.cert, key: forged.key, reconnectPeriod: 0, connectTimeout: 5000 });
    client.on("error", () => undefined);
    await new Promise<void>((r) => client.once("close", () => r()));
    expect(client.connected).toBe(false);
    client.end(true);
  });
});
