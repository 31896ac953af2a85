/**
 * The browser's MQTT connection: MQTT.js over WebSocket straight to the broker, subscribed to
 * the demo fleet's telemetry and status. Messages go to a frame batcher, never to React.
 */
import mqtt from "mqtt";
import { createFrameBatcher } from "../state/frame-batcher";
import type { LiveMessage } from "../state/live-devices";
import type { FleetStore } from "../state/fleet-store";

export const LIVE_FILTERS = ["fleet/+/+/telemetry", "fleet/+/+/status"];
/** Payloads past this are not decoded in the browser (a device may send anything). */
const MAX_LIVE_PAYLOAD_BYTES = 64 * 1024;

/** `/mqtt` on the page's own origin, unless the server was told another URL. */
export function resolveWsUrl(configured: string | null, location: { protocol: string; host: string }): string {
  if (configured) return configured;
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/mqtt`;
}

const decoder = new TextDecoder();

/** Connects and feeds `store`; the returned function disconnects (for effect cleanup). */
export function startLiveFeed(store: FleetStore): () => void {
  const { url } = store.getState().connection;
  const batcher = createFrameBatcher<LiveMessage>((batch) => store.getState().applyBatch(batch));
  const client = mqtt.connect(url, {
    clientId: `fleetscope-ui-${Math.random().toString(16).slice(2, 10)}`,
    clean: true,
    reconnectPeriod: 2000,
    connectTimeout: 10_000,
  });
  const set = store.getState().setConnection;
  client.on("connect", () => {
    set("connected");
    client.subscribe(LIVE_FILTERS, { qos: 0 }, (err) => {
      if (err) set("error", `subscribe failed: ${err.message}`);
    });
  });
  client.on("reconnect", () => set("reconnecting", store.getState().connection.error));
  client.on("offline", () => set("offline", store.getState().connection.error ?? "the broker connection dropped"));
  client.on("error", (err) => set("error", err.message));
  client.on("message", (topic, payload, packet) => {
    if (payload.byteLength > MAX_LIVE_PAYLOAD_BYTES) return;
    batcher.push({ topic, payload: decoder.decode(payload), retain: packet.retain, ts: Date.now() });
  });
  return () => {
    batcher.dispose();
    client.end(true); // Strict Mode mounts effects twice in dev (STACK.md, gotcha 8)
  };
}
