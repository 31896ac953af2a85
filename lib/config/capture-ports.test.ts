import { describe, expect, it } from "vitest";
import { DEFAULT_MQTT_PORTS, DEFAULT_TLS_PORTS, DEFAULT_WEBSOCKET_PORTS } from "../capture/mqtt-stream";
import { DEFAULT_CAPTURE_PORTS, parseCapturePorts, withPorts } from "./capture-ports";

describe("capture ports setting", () => {
  it("reads plain, TLS and WebSocket ports; the default is the decoder's own", () => {
    expect(parseCapturePorts(" 1883, 11883/tcp ,8883/tls,9001/ws,")).toEqual({ mqttPorts: [1883, 11883], tlsPorts: [8883], webSocketPorts: [9001] });
    expect(parseCapturePorts(DEFAULT_CAPTURE_PORTS)).toEqual({ mqttPorts: [...DEFAULT_MQTT_PORTS], tlsPorts: [...DEFAULT_TLS_PORTS], webSocketPorts: [...DEFAULT_WEBSOCKET_PORTS] });
  });

  it.each(["0", "65536", "http", "1883/udp", "18 83", "-1"])("names the entry that is wrong: %s", (text) => {
    expect(() => parseCapturePorts(text)).toThrow(/is not a port \(1\.\.65535\), optionally followed by \/tls or \/ws/);
  });

  it("adds ports without repeating them", () => {
    const base = parseCapturePorts(DEFAULT_CAPTURE_PORTS);
    expect(withPorts(base, parseCapturePorts("1883,4000,8443/ws"))).toEqual({ mqttPorts: [1883, 4000], tlsPorts: [8883], webSocketPorts: [8080, 8083, 9001, 8443] });
  });
});
