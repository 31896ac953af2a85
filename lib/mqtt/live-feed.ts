/**
 * The browser's MQTT connection: MQTT.js over WebSocket straight to the broker, subscribed to
 * the demo fleet's telemetry and status. Messages go to a frame batcher, never to React.
 */
import mqtt from "mqtt";
import { createFrameBatcher } from "../state/frame-batcher";
import { reconnectDelay } from "./backoff";
import type { LiveMessage } from "../state/live-devices";
import type { FleetStore } from "../state/fleet-store";

export const LIVE_FILTERS = ["fleet/+/+/telemetry", "fleet/+/+/status", "fleet/+/+/alarm", "fleet/+/+/log"];
/** Payloads past this are not decoded in the browser (a device may send anything). */
const MAX_LIVE_PAYLOAD_BYTES = 64 * 1024;

/** `/mqtt` on the page's own origin, unless the server was told another URL. */
export function resolveWsUrl(configured: string | null, location: { protocol: string; host: string }): string {
  if (configured) return configured;
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/mqtt`;
}

const decoder = new TextDecoder();

declare global {
  /** Messages this tab has applied to its store: read by `npm run bench -- overview`, and handy in devtools. */
  var fleetscopeStats: { processed: number } | undefined;
}

/** Connects and feeds `store`; the returned function disconnects (for effect cleanup). */
export function startLiveFeed(store: FleetStore): () => void {
  const { url } = store.getState().connection;
  const stats = (globalThis.fleetscopeStats ??= { processed: 0 });
  const batcher = createFrameBatcher<LiveMessage>((batch) => {
    store.getState().applyBatch(batch);
    stats.processed += batch.length;
  });
  // Reconnects are ours, not MQTT.js's fixed period: backing off, and shown to the operator.
  const client = mqtt.connect(url, {
    clientId: `fleetscope-ui-${Math.random().toString(16).slice(2, 10)}`,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  const { setConnection } = store.getState();
  let attempts = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const retryNow = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!stopped && !client.connected) client.reconnect();
  };
  store.setState({ retryNow });
  client.on("connect", () => {
    attempts = 0;
    setConnection({ state: "connected", error: null, attempts: 0, retryAt: null, sessions: store.getState().connection.sessions + 1 });
    client.subscribe(LIVE_FILTERS, { qos: 0 }, (err) => {
      if (err) setConnection({ state: "error", error: `subscribe failed: ${err.message}` });
    });
  });
  client.on("close", () => {
    if (stopped || timer) return;
    const delay = reconnectDelay(attempts);
    attempts++;
    setConnection({ state: attempts > 1 ? "reconnecting" : "offline", attempts, retryAt: Date.now() + delay });
    timer = setTimeout(retryNow, delay);
  });
  client.on("error", (err) => setConnection({ error: err.message }));
  client.on("message", (topic, payload, packet) => {
    if (payload.byteLength > MAX_LIVE_PAYLOAD_BYTES) return;
    batcher.push({ topic, payload: decoder.decode(payload), retain: packet.retain, ts: Date.now() });
  });
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    batcher.dispose();
    client.end(true); // Strict Mode mounts effects twice in dev (STACK.md, gotcha 8)
  };
}
