import "server-only";
/**
 * Everything `npm start` runs, in one process: the HTTP server (Next.js plus the broker's
 * `/mqtt` WebSocket endpoint), the embedded broker unless MQTT_URL is set, the bridge, the
 * store and the demo fleet. Returns a handle whose `stop` shuts them down in order.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { readFileSync } from "node:fs";
import next from "next";
import type { Config } from "../config/env";
import { ensureFirstUser } from "./first-start";
import { clientAddress, PEER_HEADER } from "../auth/peer";
import { UNDECODABLE_PATH_BODY, undecodablePath } from "../http/raw-path";
import { observeRequest } from "../http/request-metrics";
import { logger } from "../log/logger";
import { fleetAccess } from "../broker/access";
import { DeviceCredentials } from "../config/device-credentials";
import { MQTT_WS_PATH, startEmbeddedBroker, type EmbeddedBroker } from "../broker/embedded";
import { startWsRelay } from "../broker/ws-relay";
import { brokerCertificate, type TlsCertificate } from "../broker/tls-certificate";
import { hashSessionToken, sessionTokenFrom } from "../auth/session-token";
import { clientTapTo, sharedTraceHub } from "../trace/hub";
import type { Bridge } from "../bridge/bridge";
import { bridgeFromConfig } from "../bridge/from-config";
import { setSharedInterpreter, sharedInterpreter } from "../devices/shared";
import { conventionsWith } from "../devices/builtin";
import { Interpreter } from "../devices/registry";
import { RuleWatch, setSharedRuleWatch } from "../user-rules/watch";
import { redact } from "../config/redact";
import { internalClientCredentials } from "../broker/service-credentials";
import { asDeviceId } from "../devices/model";
import { getPart, setPart } from "../process/parts";
import { armId, Fleet } from "../sim/fleet";
import { CommandService } from "../command-service/service";
import { setCommandService } from "../command-service/shared";
import type { Store } from "../store/types";
import { Retention } from "../store/retention";
import { startServerCapture } from "../captures/server-capture";
import { sharedStore } from "../store/shared";
import { startAlerts, stopAlerts } from "../alerting/from-config";

export interface Running {
  uiUrl: string;
  mqttUrl: string;
  mqttWsUrl: string;
  /** When the embedded broker could not take MQTT_TCP_PORT. */
  tcpPortNote: string | null;
  /** The embedded broker's TLS listener: its URL, its certificate's SHA-256 fingerprint and file, and a note when its port was taken. */
  mqttTls: { url: string; fingerprint: string; certFile: string; selfSigned: boolean; portNote: string | null } | null;
  storeDescription: string;
  /** How to log in first: the one-time setup link, or null when users exist (or auth is off). */
  setupUrl: string | null;
  stop(): Promise<void>;
}

export async function startFleetscope(config: Config, opts: { dev: boolean; dir?: string }): Promise<Running> {
  const store = await sharedStore(config.databaseUrl);
  // The conventions in force follow the saved rules while the server runs: the bridge's
  // interpreter (which the command service shares) and the broker's access rules with them.
  let conventions = conventionsWith(config.conventionRules);
  const interpreters = new Set<Interpreter>();
  const rules = new RuleWatch(store.rules, config.conventionRules, (r) => {
    conventions = conventionsWith(r);
    for (const i of interpreters) i.setConventions(conventions);
  });
  await rules.start();
  setSharedRuleWatch(rules);
  const setupToken = config.auth ? await ensureFirstUser(store, config.adminPassword) : null;

  // The simulated arms authenticate as devices like any other (random passwords, this process only),
  // so the subtree rule applies to them too.
  const simPasswords = new Map(Array.from({ length: config.simDevices }, (_, i) => [armId(i), randomBytes(18).toString("base64url")]));
  let broker: EmbeddedBroker | null = null;
  let certificate: TlsCertificate | null = null;
  let mqttTlsUrl: string | null = null;
  let mqttUrl = config.mqttUrl;
  if (!mqttUrl) {
    const devices = new DeviceCredentials();
    for (const [id, password, convention] of config.deviceCredentials) devices.add(id, password, convention);
    for (const [id, password] of simPasswords) devices.add(id, password);
    const access = fleetAccess({
      devices,
      conventions: () => conventions,
      anonymousDevices: config.anonymousDevices,
      authOff: !config.auth,
      onRefusal: (refused) => setPart("broker", { ...(getPart("broker") ?? { status: "ok" }), refused }),
    });
    certificate = config.mqttTls ? await brokerCertificate(config.mqttTls) : null;
    // Every device connection's packets go to the trace hub the Wire view and Delivery panels read.
    broker = await startEmbeddedBroker({
      tls:
        config.mqttTls && certificate
          ? { port: config.mqttTls.port, cert: certificate.cert, key: certificate.key, ca: config.mqttTls.caFile && readFileSync(config.mqttTls.caFile, "utf8") }
          : undefined,
      tcpPort: config.mqttTcpPort,
      trace: sharedTraceHub(),
      access,
      // Sessions, queues and retained messages outlive a restart unless FLEETSCOPE_BROKER_PERSISTENCE=memory.
      persistence: config.brokerPersistence === "sqlite" ? { kind: "sqlite", file: config.brokerPersistenceFile } : { kind: "memory" },
    });
    mqttUrl = `mqtt://127.0.0.1:${broker.tcpPort}`;
    mqttTlsUrl = broker.tls && `mqtts://localhost:${broker.tls.port}`;
    setPart("broker", {
      status: "ok",
      embedded: true,
      url: mqttUrl,
      ...(mqttTlsUrl && certificate ? { tls: { url: mqttTlsUrl, fingerprint: certificate.fingerprint } } : {}),
    });
  } else {
    setPart("broker", { status: "starting", embedded: false, url: redact(mqttUrl) });
  }

  // Next attaches its own `upgrade` listener and would end the broker's `/mqtt` upgrades
  // (docs/architecture.md, gotcha 1): it gets a relay that only sees the other paths.
  const nextUpgrades = new EventEmitter();
  const app = next({ dev: opts.dev, dir: opts.dir ?? process.cwd(), hostname: "localhost", port: config.port, httpServer: nextUpgrades as unknown as Server });
  await app.prepare();
  const handle = app.getRequestHandler();
  const onRequest: RequestListener = (req, res) => {
    observeRequest(req, res);
    // The login limiter counts per address: the socket's, or what a trusted proxy forwarded, never
    // a header a client could set.
    const forwarded = req.headers["x-forwarded-for"];
    req.headers[PEER_HEADER] = clientAddress(req.socket.remoteAddress ?? "unknown", Array.isArray(forwarded) ? forwarded.join(",") : forwarded, config.trustedProxies);
    if (undecodablePath(req.url)) {
      res.writeHead(400, { "content-type": "application/json", "x-content-type-options": "nosniff" }).end(UNDECODABLE_PATH_BODY);
      return;
    }
    void handle(req, res);
  };
  // HTTPS_CERT and HTTPS_KEY: served over TLS here, so pages and their wss:// `/mqtt` need no proxy.
  const server = config.https
    ? createHttpsServer({ cert: readFileSync(config.https.certFile), key: readFileSync(config.https.keyFile) }, onRequest)
    : createServer(onRequest);
  // An external broker browsers are not told another WebSocket URL for: relayed, logged-in tabs only.
  const relay = !broker && !config.mqttWsUrl ? startWsRelay(mqttUrl, (req) => relayAllowed(config, store, req.headers.cookie ?? null)) : null;
  server.on("upgrade", (req, socket, head) => {
    const path = (req.url ?? "").split("?")[0];
    if (broker && path === MQTT_WS_PATH) broker.handleUpgrade(req, socket, head);
    else if (relay && path === MQTT_WS_PATH) relay.handleUpgrade(req, socket, head);
    else nextUpgrades.emit("upgrade", req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  // A live capture starts before this server's own clients connect, so it holds their CONNECTs.
  const capture = startServerCapture(config, store);
  await capture?.ready;

  let bridge: Bridge | null = null;
  if (config.bridge) {
    // With an external broker nothing taps the bridge's connection: its own client reports it.
    bridge = bridgeFromConfig(config, mqttUrl, store, rules.set.rules, broker ? undefined : clientTapTo(sharedTraceHub(), config.bridgeId));
    interpreters.add(bridge.interpreter);
    const report = () => {
      const s = bridge!.getStats();
      setPart("bridge", { status: s.connected && !s.lastError ? "ok" : "down", ...(s.lastError ? { error: s.lastError } : {}), ...s });
      if (!broker) setPart("broker", { status: s.connected ? "ok" : "down", embedded: false, url: redact(mqttUrl!) });
    };
    setPart("bridge", { status: "starting" });
    setSharedInterpreter(bridge.interpreter);
    bridge.on("connect", report).on("offline", report).on("committed", report).on("storeError", report);
    bridge.on("storeError", (err) => logger("bridge").error({ error: err.message, pending: bridge!.getStats().pending }, "store commit failed; the bridge retries"));
    await bridge.start();
    report();
  } else {
    setPart("bridge", { status: "off" });
  }

  // Without a bridge here, the command service reads echoes with an interpreter of its own.
  const commandConventions = sharedInterpreter() ?? new Interpreter(conventions);
  interpreters.add(commandConventions);
  const commands = startCommands(config, mqttUrl, store, broker !== null, commandConventions);
  await commands.start();
  setCommandService(commands);
  // Alerts are evaluated on this bridge's stream, by whichever server holds the alert lease.
  const alerts = bridge ? await startAlerts(config, store, bridge, commands, `http://localhost:${port}`) : null;

  // Every process with a bridge prunes; several at once only share the work.
  const retention = config.bridge ? new Retention(store, config.retentionDays) : null;
  retention?.start();

  let fleet: Fleet | null = null;
  if (config.simDevices > 0) {
    const credentials = broker
      ? (id: string) => ({ username: id, password: simPasswords.get(id) })
      : () => ({ username: config.mqttUsername, password: config.mqttPassword });
    fleet = new Fleet({ url: mqttUrl, credentials, devices: config.simDevices, faults: config.simFaults });
    await fleet.start();
  }

  const uiUrl = `${config.https ? "https" : "http"}://localhost:${port}`;
  return {
    uiUrl,
    mqttUrl: redact(mqttUrl),
    mqttWsUrl: config.mqttWsUrl ?? `${config.https ? "wss" : "ws"}://localhost:${port}${MQTT_WS_PATH}`,
    tcpPortNote: broker?.requestedPortTaken ? `port ${config.mqttTcpPort} was taken, so the broker listens on ${broker.tcpPort}` : null,
    mqttTls:
      broker?.tls && mqttTlsUrl && certificate
        ? {
            url: mqttTlsUrl,
            fingerprint: certificate.fingerprint,
            certFile: certificate.certFile,
            selfSigned: certificate.selfSigned,
            portNote: broker.tls.requestedPortTaken ? `port ${config.mqttTls!.port} was taken, so the broker listens on ${broker.tls.port}` : null,
          }
        : null,
    storeDescription: `${store.kind} ${redact(config.databaseUrl)}`,
    setupUrl: setupToken ? `${uiUrl}/login?setup=${setupToken}` : null,
    async stop() {
      await stopAlerts(alerts);
      rules.stop();
      setSharedRuleWatch(null);
      setCommandService(null);
      await commands.stop();
      await fleet?.stop();
      await bridge?.stop();
      await retention?.stop();
      relay?.close();
      server.closeAllConnections();
      const closed = new Promise<void>((r) => server.close(() => r()));
      // The broker ends its WebSocket clients, which the HTTP server still counts and would
      // otherwise wait for: open tabs would go on believing the broker was live.
      await broker?.close();
      await closed;
      await capture?.recorder.stop();
      await app.close();
      await store.close();
    },
  };
}

/** The command service on this process's broker connection, reporting itself in /api/health. */
function startCommands(config: Config, mqttUrl: string, store: Store, embedded: boolean, conventions: Interpreter): CommandService {
  const commands = new CommandService({
    url: mqttUrl,
    ...internalClientCredentials(config),
    // Aedes speaks 3.1.1 only; any other broker is asked for MQTT 5 first.
    protocolVersion: embedded ? 4 : 5,
    // One per bridge id, as the bridge's own session: replies sent while this server restarts wait at the broker.
    clientId: `${config.bridgeId}-commands`,
    log: store.commands,
    async device(id) {
      const d = await store.getDevice(asDeviceId(id));
      return d && { id: d.id, site: d.site, status: d.status, fields: d.fields, convention: d.convention, name: d.name, meta: d.meta };
    },
    conventions,
  });
  const report = () => {
    const s = commands.status();
    setPart("commands", { status: s.connected ? "ok" : "down", ...(s.error ? { error: s.error } : {}), open: s.open, protocolVersion: s.protocolVersion });
  };
  setPart("commands", { status: "starting" });
  commands.on("change", report);
  commands.on("error", (err) => setPart("commands", { status: "down", error: `store: ${err.message}` }));
  commands.on("error", (err) => logger("commands").error({ error: err.message }, "saving a command failed"));
  commands.on("connection", report);
  return commands;
}

/** Whether an upgrade's session may use the relay: any logged-in user (the broker checks the rest). */
async function relayAllowed(config: Config, store: Store, cookie: string | null): Promise<boolean> {
  if (!config.auth) return true;
  const token = sessionTokenFrom(cookie);
  return token !== null && (await store.users.sessionUser(hashSessionToken(token), Date.now())) !== null;
}
