/**
 * What the protocol fuzzer found, each as the smallest input that did it, so the fix stays fixed
 * whatever seed the fuzz suite draws.
 */
import { Duplex } from "node:stream";
import { Aedes, type Client } from "aedes";
import { describe, expect, it } from "vitest";
import { fleetAccess } from "../../lib/broker/access";
import { withClientIdRule } from "../../lib/broker/client-id";
import { DeviceCredentials } from "../../lib/config/device-credentials";
import { tapConnection } from "../../lib/broker/tap";
import { MqttFramer } from "../../lib/mqtt/framer";
import { TraceHub } from "../../lib/trace/hub";

const hex = (s: string) => Buffer.from(s, "hex");
/** CONNECT, MQTT 3.1.1, clean session, client id `fuzz-12`. */
const CONNECT = hex("101300044d5154540402003c000766757a7a2d3132");

/** A connection as Aedes sees it: what the test pushes is read; `wrote` resolves once the broker has written `bytes`. */
function connection() {
  let written = Buffer.alloc(0);
  const waiting: { bytes: Buffer; resolve: () => void }[] = [];
  const conn = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      written = Buffer.concat([written, chunk]);
      for (const w of waiting.splice(0)) written.includes(w.bytes) ? w.resolve() : waiting.push(w);
      cb();
    },
  });
  const wrote = (bytes: Buffer) => new Promise<void>((resolve) => (written.includes(bytes) ? resolve() : waiting.push({ bytes, resolve })));
  return { conn, wrote };
}

describe("fuzzer finds", () => {
  it("a PUBLISH with QoS 3 then a PUBREL for its id no longer crashes the process through the packet tap", () => {
    // The tap's framer handed on QoS 3, and the flow tracker had no handshake for it: a TypeError
    // in a socket's `data` listener, thrown before Aedes even parsed the CONNECT.
    const hub = new TraceHub();
    try {
      const { conn } = connection();
      tapConnection(conn, hub);
      expect(() => conn.emit("data", Buffer.concat([CONNECT, hex("3605000161" + "0001"), hex("62020001")]))).not.toThrow();
      const framer = new MqttFramer();
      expect(framer.push(hex("3605000161" + "0001"))).toEqual([]);
      expect(framer.failed).toBe("PUBLISH with QoS 3"); // [MQTT-3.3.1-4]
    } finally {
      hub.close();
    }
  });

  it("a SUBSCRIBE read while its CONNECT is still being processed is refused, not a crash", async () => {
    // Aedes 1.2 counts a `readable` event as a finished packet, so a SUBSCRIBE arriving in a second
    // read, before the CONNECT's setImmediate has run, is authorized at once: the client has no id
    // and has not authenticated. The refusal's log line read `client.id.length` and threw.
    const logged: string[] = [];
    const access = withClientIdRule(fleetAccess({ devices: new DeviceCredentials(), anonymousDevices: false, authOff: true, log: (l) => logged.push(l) }));
    const seen: (string | null)[] = [];
    const broker = await Aedes.createBroker({
      ...access,
      authorizeSubscribe: (client: Client, sub, done) => {
        seen.push(client.id);
        access.authorizeSubscribe(client, sub, done);
      },
    });
    try {
      const { conn, wrote } = connection();
      broker.handle(conn);
      conn.push(CONNECT);
      // Two ticks: after the read that took the CONNECT, before the CONNECT's setImmediate.
      process.nextTick(() => process.nextTick(() => conn.push(hex("820800010003612f6200")))); // packet id 1, `a/b` at QoS 0
      // The SUBACK refuses it [MQTT-3.9.3-2]: 0x90, length 3, packet id 1, 0x80.
      await wrote(hex("9003000180"));
      expect(seen).toEqual([null]);
      expect(logged).toEqual(['fleetscope: broker refused subscription by "(none)" (unknown) to "a/b": no authenticated client']);
    } finally {
      await new Promise<void>((r) => broker.close(() => r()));
    }
  });
});
