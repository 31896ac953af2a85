/**
 * Replay's pure parts (`npm run replay`, bin/replay.ts): when each stored message is due on the
 * wall clock (the original gaps divided by the speed), how late a publish was, how progress
 * reads, and whether a target URL is the broker Fleetscope itself uses.
 */

/** The wall-clock schedule of a window: message time `first` plays at wall time `start`. */
export interface ReplayClock {
  first: number;
  start: number;
  speed: number;
}

/** Wall time a message stored at `ts` is due. */
export const dueAt = (clock: ReplayClock, ts: number) => clock.start + (ts - clock.first) / clock.speed;

export interface ReplayTotals {
  published: number;
  byQos: [number, number, number];
  retained: number;
  /** Payloads that were stored cut (MAX_STORED_PAYLOAD_BYTES) and go out as their stored head. */
  truncated: number;
  /** Worst and summed lateness of a publish behind its due time, in ms. */
  maxLagMs: number;
  lagSumMs: number;
}

export const emptyTotals = (): ReplayTotals => ({ published: 0, byQos: [0, 0, 0], retained: 0, truncated: 0, maxLagMs: 0, lagSumMs: 0 });

/** Counts one publish made at wall time `now` that was due at `due`. */
export function count(t: ReplayTotals, m: { qos: 0 | 1 | 2; retain: boolean; truncated: boolean }, due: number, now: number): void {
  const lag = Math.max(0, now - due);
  t.published++;
  t.byQos[m.qos]++;
  if (m.retain) t.retained++;
  if (m.truncated) t.truncated++;
  t.maxLagMs = Math.max(t.maxLagMs, lag);
  t.lagSumMs += lag;
}

/** One progress line: published of (at most) estimate, the window position, and lag. */
export function progressLine(t: ReplayTotals, estimate: number, lastTs: number | null, currentLagMs: number): string {
  const pct = estimate > 0 ? ` (${Math.min(100, Math.floor((100 * t.published) / estimate))}%)` : "";
  const at = lastTs === null ? "" : `, at ${new Date(lastTs).toISOString()}`;
  return `${t.published} of ≤${estimate} published${pct}${at}, lag ${Math.round(currentLagMs)} ms (max ${Math.round(t.maxLagMs)} ms)`;
}

export function totalsLine(t: ReplayTotals, wallMs: number): string {
  const mean = t.published ? t.lagSumMs / t.published : 0;
  return (
    `${t.published} published in ${(wallMs / 1000).toFixed(1)} s (QoS 0: ${t.byQos[0]}, QoS 1: ${t.byQos[1]}, QoS 2: ${t.byQos[2]}; ` +
    `${t.retained} retained; ${t.truncated} truncated), lag mean ${mean.toFixed(1)} ms, max ${Math.round(t.maxLagMs)} ms`
  );
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"]);
const DEFAULT_PORTS: Record<string, number> = { "mqtt:": 1883, "mqtts:": 8883, "ws:": 80, "wss:": 443 };

/** host:port of an MQTT URL, loopback names made one, default ports filled in. */
function endpoint(u: URL): string {
  const host = LOOPBACK.has(u.hostname) ? "loopback" : u.hostname.toLowerCase();
  return `${host}:${u.port ? Number(u.port) : (DEFAULT_PORTS[u.protocol] ?? 0)}`;
}

/**
 * Why `target` is Fleetscope's own broker, or null: the configured MQTT_URL, or, with the
 * embedded broker (MQTT_URL unset), this machine on its TCP port or on the web server's port
 * (its WebSocket endpoint). Replaying into it would store the window a second time.
 */
export function ownBroker(target: URL, own: { mqttUrl: string | undefined; mqttTcpPort: number; port: number }): string | null {
  const t = endpoint(target);
  if (own.mqttUrl !== undefined) return endpoint(new URL(own.mqttUrl)) === t ? `it is MQTT_URL (${own.mqttUrl})` : null;
  for (const port of [own.mqttTcpPort, own.port]) {
    if (t === `loopback:${port}`) return `it is the embedded broker's port ${port} on this machine`;
  }
  return null;
}
