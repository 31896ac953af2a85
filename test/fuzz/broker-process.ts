/**
 * The embedded broker alone in a process, for the fuzzer (started by `startBrokerProcess` in
 * broker-fuzz.ts): as `npm start` runs it with FLEETSCOPE_AUTH=off, packet taps on, TCP on a free
 * port and WebSocket on `/mqtt` of an HTTP server. Alone, its memory is its own (the fuzzer's
 * garbage is not in its RSS), and a crash is an exit the parent sees. It answers over IPC:
 * `{ memory: true }` → its RSS now (after a collection, when run with --expose-gc), its peak
 * since the last ask, and its client count; `{ stop: true }` → closes and exits.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fleetAccess } from "../../lib/broker/access";
import { DeviceCredentials } from "../../lib/config/device-credentials";
import { MQTT_WS_PATH, startEmbeddedBroker } from "../../lib/broker/embedded";
import { TraceHub } from "../../lib/trace/hub";

export interface BrokerProcessReady {
  ready: { tcpPort: number; wsUrl: string };
}
export interface BrokerProcessMemory {
  memory: { rss: number; peakRss: number; heapUsed: number; clients: number; refusals: number };
}

const send = (m: BrokerProcessReady | BrokerProcessMemory) => process.send!(m);
const gc = (globalThis as { gc?: () => void }).gc;

let refusals = 0;
const hub = new TraceHub();
const access = fleetAccess({ devices: new DeviceCredentials(), anonymousDevices: false, authOff: true, log: () => void refusals++ });
const broker = await startEmbeddedBroker({ tcpPort: 0, host: "127.0.0.1", access, trace: hub });
const http = createServer((_req, res) => res.writeHead(404).end());
http.on("upgrade", (req, socket, head) => (req.url === MQTT_WS_PATH ? broker.handleUpgrade(req, socket, head) : socket.destroy()));
await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));

let peak = process.memoryUsage.rss();
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);

process.on("message", async (m: { memory?: true; stop?: true }) => {
  if (m.memory) {
    peak = Math.max(peak, process.memoryUsage.rss());
    const peakRss = peak;
    gc?.();
    const now = process.memoryUsage();
    peak = now.rss;
    send({ memory: { rss: now.rss, peakRss, heapUsed: now.heapUsed, clients: broker.clientCount(), refusals } });
  }
  if (m.stop) {
    clearInterval(sampler);
    http.closeAllConnections();
    await broker.close();
    await new Promise<void>((r) => http.close(() => r()));
    hub.close();
    process.exit(0);
  }
});
// The parent gone: nothing left to answer.
process.on("disconnect", () => process.exit(0));
send({ ready: { tcpPort: broker.tcpPort, wsUrl: `ws://127.0.0.1:${(http.address() as AddressInfo).port}${MQTT_WS_PATH}` } });
