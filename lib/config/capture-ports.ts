/**
 * Which server ports carry MQTT in a capture, as a setting: `1883,8883/tls,8080/ws` — a port
 * alone is plain MQTT, `/tls` MQTT over TLS (counted, never decoded), `/ws` MQTT over WebSocket.
 * A connection whose first bytes are a CONNECT (or an MQTT WebSocket upgrade) is MQTT on any port;
 * these are for the connections a capture joins mid-stream, which only their port can tell.
 */
import type { MqttStreamOptions } from "../capture/mqtt-stream";

export const DEFAULT_CAPTURE_PORTS = "1883,8883/tls,8080/ws,8083/ws,9001/ws";

export interface CapturePorts {
  mqttPorts: number[];
  tlsPorts: number[];
  webSocketPorts: number[];
}

/** Reads the setting; throws an Error whose message names the entry that is wrong. */
export function parseCapturePorts(text: string): CapturePorts & MqttStreamOptions {
  const ports: CapturePorts = { mqttPorts: [], tlsPorts: [], webSocketPorts: [] };
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const m = /^(\d{1,5})(?:\/(tcp|tls|ws))?$/.exec(entry);
    const port = m ? Number(m[1]) : NaN;
    if (!m || port < 1 || port > 65535) throw new Error(`"${entry.slice(0, 40)}" is not a port (1..65535), optionally followed by /tls or /ws`);
    (m[2] === "tls" ? ports.tlsPorts : m[2] === "ws" ? ports.webSocketPorts : ports.mqttPorts).push(port);
  }
  return ports;
}

/** `extra`'s ports added to `base`'s, each kind apart. */
export function withPorts(base: CapturePorts, extra: CapturePorts): CapturePorts {
  const join = (a: number[], b: number[]) => [...new Set([...a, ...b])];
  return { mqttPorts: join(base.mqttPorts, extra.mqttPorts), tlsPorts: join(base.tlsPorts, extra.tlsPorts), webSocketPorts: join(base.webSocketPorts, extra.webSocketPorts) };
}
