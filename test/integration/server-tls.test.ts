/**
 * `npm start` over TLS as a user runs it: HTTPS_CERT and HTTPS_KEY serve the UI, the API and the
 * broker's `/mqtt` (wss://) directly; the embedded broker's TLS listener comes up with a
 * self-signed certificate kept beside the data, the same one after a restart, its fingerprint in
 * the banner; and behind a TLS-terminating proxy in front of a plain server, wss:// reaches `/mqtt`.
 * Needs a production build (`next build`), as `npm test` makes first.
 */
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { get } from "node:https";
import { connect as netConnect } from "node:net";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { brokerCertificate, SELF_SIGNED_KEY, type TlsCertificate } from "../../lib/broker/tls-certificate";
import { freePort } from "../helpers/ports";
import { startServerProcess, killServers, type ServerProcess } from "../helpers/server-process";

const root = mkdtempSync(join(tmpdir(), "fleetscope-server-tls-"));
let httpsCert: TlsCertificate;
let proxy: TlsServer | null = null;

beforeAll(async () => {
  httpsCert = await brokerCertificate({ dir: join(root, "https") });
});

afterAll(async () => {
  proxy?.close();
  await killServers();
  rmSync(root, { recursive: true, force: true });
});

const startServer = (name: string, env: Record<string, string>) =>
  startServerProcess({ DATABASE_URL: `file:${join(root, name, "fleet.db")}`, FLEETSCOPE_AUTH: "off", FLEETSCOPE_SIM_DEVICES: "0", MQTT_TCP_PORT: "0", MQTT_TLS_PORT: "0", ...env });

/** Publishes on `url` and resolves with what comes back on its own subscription. */
async function roundTrip(url: string, opts: mqtt.IClientOptions): Promise<string> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...opts });
  const topic = `fleet/tls/echo-${Math.random().toString(36).slice(2)}/log`;
  const got = new Promise<string>((resolve) => client.on("message", (_t, p) => resolve(p.toString())));
  await client.subscribeAsync(topic, { qos: 1 });
  await client.publishAsync(topic, "through TLS", { qos: 1 });
  const payload = await got;
  await client.endAsync();
  return payload;
}

describe("HTTPS_CERT and HTTPS_KEY, and the broker's self-signed certificate", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer("direct", { HTTPS_CERT: httpsCert.certFile, HTTPS_KEY: join(root, "https", SELF_SIGNED_KEY) });
  }, 120_000);

  it("serve the API over https and /mqtt over wss://, both in the banner", async () => {
    expect(server.banner).toContain(`UI              https://localhost:${server.port}`);
    expect(server.banner).toContain(`MQTT WebSocket  wss://localhost:${server.port}/mqtt`);
    const status = await new Promise<number>((resolve, reject) => get(`https://localhost:${server.port}/api/health`, { ca: httpsCert.cert }, (res) => (res.resume(), resolve(res.statusCode!))).on("error", reject));
    expect(status).toBe(200);
    expect(await roundTrip(`wss://localhost:${server.port}/mqtt`, { ca: httpsCert.cert })).toBe("through TLS");
  });

  it("print the broker's TLS URL and the fingerprint of the certificate kept beside the data", async () => {
    const m = /MQTT TLS\s+mqtts:\/\/localhost:(\d+)/.exec(server.banner);
    expect(m).not.toBeNull();
    const certFile = join(root, "direct", "tls", "broker-cert.pem");
    const fingerprint = new X509Certificate(readFileSync(certFile)).fingerprint256;
    expect(server.banner).toContain(`SHA-256 ${fingerprint} (self-signed), ${certFile}`);
    expect(statSync(join(root, "direct", "tls", SELF_SIGNED_KEY)).mode & 0o777).toBe(0o600);
    expect(await roundTrip(`mqtts://localhost:${m![1]}`, { ca: readFileSync(certFile) })).toBe("through TLS");
    const health = await new Promise<string>((resolve, reject) =>
      get(`https://localhost:${server.port}/api/health`, { ca: httpsCert.cert }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve(body));
      }).on("error", reject),
    );
    expect((JSON.parse(health) as { broker: { tls?: unknown } }).broker.tls).toEqual({ url: `mqtts://localhost:${m![1]}`, fingerprint });
  });

  it("keep the same broker certificate across a restart", async () => {
    const before = /SHA-256 (\S+)/.exec(server.banner)![1];
    await server.stop();
    server = await startServer("direct", { HTTPS_CERT: httpsCert.certFile, HTTPS_KEY: join(root, "https", SELF_SIGNED_KEY) });
    expect(/SHA-256 (\S+)/.exec(server.banner)![1]).toBe(before);
  }, 120_000);

  afterAll(() => server?.stop());
});

describe("behind a TLS-terminating proxy", () => {
  it("wss:// on the proxy's origin reaches the broker's /mqtt on the plain server", async () => {
    const server = await startServer("proxied", { MQTT_TLS_PORT: "off" });
    expect(server.banner).not.toContain("MQTT TLS");
    proxy = createTlsServer({ cert: httpsCert.cert, key: httpsCert.key }, (socket) => {
      const upstream = netConnect(server.port, "127.0.0.1");
      socket.pipe(upstream).pipe(socket);
      socket.on("error", () => upstream.destroy());
      upstream.on("error", () => socket.destroy());
    });
    const proxyPort = await freePort();
    await new Promise<void>((r) => proxy!.listen(proxyPort, "127.0.0.1", () => r()));
    expect(await roundTrip(`wss://localhost:${proxyPort}/mqtt`, { ca: httpsCert.cert })).toBe("through TLS");
    await server.stop();
  }, 120_000);
});
