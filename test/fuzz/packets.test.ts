import mqttPacket, { type Packet } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { describeConnection, fuzzConnection, fuzzConnections, LENGTH_LIMITS, MAX_REMAINING_LENGTH, PACKET_KINDS, validPacket, type Kind, type Level } from "./packets";
import { Prng } from "./prng";

/** What mqtt-packet makes of `bytes` at `level`: its packets, or its error. */
function parse(bytes: Uint8Array, level: Level): { packets: Packet[]; error?: string } {
  const parser = mqttPacket.parser({ protocolVersion: level });
  const packets: Packet[] = [];
  let error: string | undefined;
  parser.on("packet", (p) => packets.push(p));
  parser.on("error", (e: Error) => (error ??= e.message));
  parser.parse(Buffer.from(bytes));
  return { packets, ...(error ? { error } : {}) };
}

/** The Remaining Length a packet's fixed header says [MQTT-2.2.3]. */
function remainingLength(bytes: Uint8Array): number {
  let value = 0;
  for (let i = 1, mult = 1; i < 5; i++, mult *= 128) {
    value += (bytes[i]! & 0x7f) * mult;
    if (!(bytes[i]! & 0x80)) break;
  }
  return value;
}

const CLIENT_KINDS: Kind[] = ["connect", "publish", "puback", "pubrec", "pubrel", "pubcomp", "subscribe", "unsubscribe", "pingreq", "disconnect"];
const SERVER_KINDS: Kind[] = ["connack", "suback", "unsuback", "pingresp"];

describe("the fuzzer's packets", () => {
  it("are the same for the same seed and differ for another", () => {
    const a = [...fuzzConnections({ seed: 42 }, 2000)];
    const b = [...fuzzConnections({ seed: 42 }, 2000)];
    expect(b.map(describeConnection)).toEqual(a.map(describeConnection));
    expect(fuzzConnection({ seed: 42 }, 17)).toEqual(a[17]);
    const c = [...fuzzConnections({ seed: 43 }, 2000)];
    expect(c.map(describeConnection)).not.toEqual(a.map(describeConnection));
  });

  it("are valid before mutation: mqtt-packet reads each kind back as itself, at 3.1.1 and 5", () => {
    const rng = new Prng(7);
    for (const level of [4, 5] as const) {
      for (const kind of [...CLIENT_KINDS, ...SERVER_KINDS, ...(level === 5 ? (["auth"] as Kind[]) : [])]) {
        for (let i = 0; i < 50; i++) {
          const { bytes } = validPacket(rng, kind, level, { clientId: "fuzz-1", clean: i % 2 === 0 });
          const read = parse(bytes, level);
          expect(read, `${kind} v${level} ${Buffer.from(bytes).toString("hex")}`).toMatchObject({ packets: [{ cmd: kind }] });
        }
      }
    }
  });

  it("land exactly on the Remaining Length's byte boundaries when sized", () => {
    const rng = new Prng(9);
    const cases: [Kind, Level][] = [
      ["publish", 4],
      ["connect", 4],
      ["subscribe", 4],
      ["unsubscribe", 4],
      ["publish", 5],
      ["puback", 5],
      ["disconnect", 5],
      ["auth", 5],
    ];
    for (const [kind, level] of cases) {
      for (const target of [127, 128, 16_383, 16_384]) {
        const { bytes } = validPacket(rng, kind, level, { target });
        expect(remainingLength(bytes), `${kind} v${level} sized ${target}`).toBe(target);
        expect(parse(bytes, level).packets.map((p) => p.cmd)).toEqual([kind]);
      }
    }
  });

  it("cover every packet type, both versions and transports, and every Remaining Length limit as a claim", () => {
    const conns = [...fuzzConnections({ seed: 1 }, 10_000)];
    const packets = conns.flatMap((c) => c.packets);
    expect(new Set(packets.map((p) => p.kind))).toEqual(new Set(PACKET_KINDS));
    expect(new Set(packets.map((p) => p.level))).toEqual(new Set([4, 5]));
    expect(new Set(conns.map((c) => c.transport))).toEqual(new Set(["tcp", "websocket"]));
    const mutations = new Set(packets.flatMap((p) => p.mutations.map((m) => m.replace(/[@=+].*$/, ""))));
    expect([...mutations].sort()).toEqual(["bad-utf8", "claim-length", "delete", "empty-body", "extend", "flags", "flip-bit", "insert", "long-length", "set-byte", "string-length", "truncate", "type"]);
    const claims = new Set(packets.flatMap((p) => p.mutations.filter((m) => m.startsWith("claim-length=")).map((m) => Number(m.slice(13)))));
    for (const limit of LENGTH_LIMITS) expect(claims.has(limit), `a claim of ${limit}`).toBe(true);
    expect(claims.has(MAX_REMAINING_LENGTH)).toBe(true);
    // Sized bodies at each boundary, as sent.
    const sizes = new Set(packets.filter((p) => p.mutations.length === 0).map((p) => remainingLength(p.bytes)));
    for (const size of [127, 128, 16_383, 16_384]) expect(sizes.has(size), `a body of ${size}`).toBe(true);
  });

  it("without mutation are MQTT 3.1.1 client packets after a valid CONNECT, which mqtt-packet reads without error", () => {
    for (const c of fuzzConnections({ seed: 5, mutate: false }, 2000)) {
      const read = parse(Buffer.concat(c.chunks), 4);
      expect(read.error, describeConnection(c)).toBeUndefined();
      expect(read.packets.map((p) => p.cmd)).toEqual(c.packets.map((p) => p.kind));
      expect(read.packets[0]!.cmd).toBe("connect");
    }
  });
});
