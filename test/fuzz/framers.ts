/**
 * The fuzzer's bytes through our own MQTT readers, in process, as each would meet them:
 * - the broker tap's framer (lib/mqtt/framer.ts; each packet's fixed header then explained as the
 *   Wire view's packet detail does in the browser);
 * - the capture decoder (lib/capture/mqtt-stream.ts: framing, resync, decoding at the version the
 *   CONNECT gave or the packets suggest), over TCP and inside WebSocket frames after an upgrade,
 *   as client bytes and as server bytes;
 * - mqtt-packet's parser, which MQTT.js runs in the bridge and in the browser, at 3.1.1 and 5.
 * A reader may give up on a stream (`failed`, a problem, an `error` event); it must never throw.
 */
import mqttPacket from "mqtt-packet";
import { concat } from "../../lib/capture/fixtures/build";
import { UPGRADE_REQUEST, UPGRADE_RESPONSE, wsFrame } from "../../lib/capture/fixtures/mqtt-build";
import { MqttStreamDecoder, type MqttStreamOutput } from "../../lib/capture/mqtt-stream";
import type { Direction, TcpConnection, TcpStreamEvent } from "../../lib/capture/types";
import { explainFixedHeader, MqttFramer, type WirePacket } from "../../lib/mqtt/framer";
import type { FuzzConnection } from "./packets";

const MASK = [0x12, 0x34, 0x56, 0x78];
const text = new TextDecoder();

export class ReaderThrew extends Error {
  constructor(
    readonly reader: string,
    readonly cause: unknown,
  ) {
    super(`${reader} threw: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
  }
}

function attempt(reader: string, run: () => void): void {
  try {
    run();
  } catch (err) {
    throw new ReaderThrew(reader, err);
  }
}

/** Every packet the readers made of the bytes, for a test that wants to see they did read something. */
export interface ReadCounts {
  tap: number;
  capture: number;
  mqttPacket: number;
}

export function readWithOurReaders(c: FuzzConnection, decoder = new MqttStreamDecoder()): ReadCounts {
  const counts: ReadCounts = { tap: 0, capture: 0, mqttPacket: 0 };
  attempt("the tap framer (lib/mqtt/framer.ts)", () => {
    const framer = new MqttFramer();
    const onPacket = (p: WirePacket) => {
      counts.tap++;
      explainFixedHeader(p.header);
    };
    for (const chunk of c.chunks) framer.feed(chunk, onPacket);
    // Aedes writes some fields as strings, which the tap takes through feedString.
    const strings = new MqttFramer();
    for (const chunk of c.chunks) strings.feedString(text.decode(chunk), onPacket);
  });
  attempt("the capture decoder (lib/capture/mqtt-stream.ts)", () => {
    for (const dir of ["c2s", "s2c"] as const) counts.capture += decodeCaptured(decoder, c, dir);
  });
  for (const protocolVersion of [4, 5]) {
    attempt(`mqtt-packet's parser at protocol level ${protocolVersion}`, () => {
      const parser = mqttPacket.parser({ protocolVersion });
      parser.on("packet", () => counts.mqttPacket++);
      // A parse error is the parser's answer to junk; what must not happen is a throw.
      parser.on("error", () => undefined);
      for (const chunk of c.chunks) parser.parse(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    });
  }
  return counts;
}

let connections = 0;

/** The connection's bytes as a capture would hold them: one direction, plain or upgraded to WebSocket. */
function decodeCaptured(decoder: MqttStreamDecoder, c: FuzzConnection, dir: Direction): number {
  const ws = c.transport === "websocket";
  const conn: TcpConnection = {
    id: ++connections,
    client: { address: "10.0.0.1", port: 40_000 + (connections % 20_000) },
    server: { address: "10.0.0.2", port: ws ? 8083 : 1883 },
    handshake: true,
  };
  const out: MqttStreamOutput = { packets: [], connections: [] };
  const events: TcpStreamEvent[] = [{ kind: "open", conn, ts: 0 }];
  if (ws) {
    events.push({ kind: "data", conn, dir: "c2s", ts: 1, bytes: UPGRADE_REQUEST }, { kind: "data", conn, dir: "s2c", ts: 1, bytes: UPGRADE_RESPONSE });
    // A client's frames are masked, a server's are not (RFC 6455 §5.1).
    const frames = c.chunks.map((chunk) => wsFrame({ opcode: 2, payload: chunk, ...(dir === "c2s" ? { mask: MASK } : {}) }));
    events.push({ kind: "data", conn, dir, ts: 2, bytes: concat(...frames) });
  } else for (const chunk of c.chunks) events.push({ kind: "data", conn, dir, ts: 2, bytes: chunk });
  events.push({ kind: "close", conn, ts: 3, reason: "fin" });
  for (const e of events) decoder.handle(e, out);
  return out.packets.length;
}
