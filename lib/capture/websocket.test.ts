import { describe, expect, it } from "vitest";
import { concat, hex, text } from "./fixtures/build";
import { UPGRADE_REQUEST, UPGRADE_RESPONSE, wsFrame } from "./fixtures/mqtt-build";
import { headerValues, readHttpHead, WebSocketReader } from "./websocket";

const MASK = [0x37, 0xfa, 0x21, 0x3d];

function reader(fromClient: boolean) {
  const got = { data: [] as Uint8Array[], gaps: 0, frames: [] as number[], problems: [] as string[], skipped: 0 };
  const r = new WebSocketReader(fromClient, {
    data: (b) => got.data.push(b),
    gap: () => got.gaps++,
    frame: (op) => got.frames.push(op),
    problem: (m) => got.problems.push(m),
    skipped: (n) => (got.skipped += n),
  });
  return { r, got, bytes: () => hex(concat(...got.data)) };
}

function feed(r: WebSocketReader, bytes: Uint8Array, chunk: number) {
  for (let i = 0; i < bytes.length; i += chunk) r.push(bytes.subarray(i, i + chunk), i);
}

describe("readHttpHead", () => {
  it("reads an upgrade request and response, header names in lower case", () => {
    const head = readHttpHead(concat(UPGRADE_REQUEST, [0x82, 0x00]));
    if (typeof head === "string") throw new Error(head);
    expect(head.startLine).toBe("GET /mqtt HTTP/1.1");
    expect(head.length).toBe(UPGRADE_REQUEST.length);
    expect(headerValues(head, "upgrade")).toEqual(["websocket"]);
    expect(headerValues(head, "sec-websocket-protocol")).toEqual(["mqtt"]);
    const response = readHttpHead(UPGRADE_RESPONSE);
    expect(typeof response !== "string" && response.startLine).toBe("HTTP/1.1 101 Switching Protocols");
  });

  it("waits for the blank line, and gives up past 16 KiB", () => {
    expect(readHttpHead(UPGRADE_REQUEST.subarray(0, 40))).toBe("more");
    expect(readHttpHead(new Uint8Array(17_000).fill(0x41))).toBe("invalid");
  });
});

describe("WebSocketReader", () => {
  const mqtt = text("\x30\x05\x00\x01ahi");

  it("unmasks the client's frames, in any chunking", () => {
    const frames = concat(wsFrame({ opcode: 2, payload: mqtt, mask: MASK }), wsFrame({ opcode: 2, payload: mqtt, mask: [1, 2, 3, 4] }));
    for (const chunk of [1, 3, 7, frames.length]) {
      const { r, got, bytes } = reader(true);
      feed(r, frames, chunk);
      expect(bytes()).toBe(hex(concat(mqtt, mqtt)));
      expect(got.problems).toEqual([]);
      expect(got.frames).toEqual([2, 2]);
    }
  });

  it("reads 7-, 16- and 64-bit lengths", () => {
    for (const payload of [new Uint8Array(125), new Uint8Array(126), new Uint8Array(70_000)]) {
      payload.forEach((_, i) => (payload[i] = i & 0xff));
      const { r, bytes } = reader(false);
      feed(r, wsFrame({ opcode: 2, payload }), 1000);
      expect(bytes()).toBe(hex(payload));
    }
    const { r, bytes, got } = reader(false);
    r.push(wsFrame({ opcode: 2, payload: mqtt, longLength: true }), 0);
    expect(bytes()).toBe(hex(mqtt));
    expect(got.problems).toEqual([]);
  });

  it("joins a fragmented message, with a ping and a pong between its fragments", () => {
    const frames = concat(
      wsFrame({ opcode: 2, payload: mqtt.subarray(0, 3), fin: false, mask: MASK }),
      wsFrame({ opcode: 9, payload: text("ping?"), mask: MASK }),
      wsFrame({ opcode: 0, payload: mqtt.subarray(3, 5), fin: false, mask: MASK }),
      wsFrame({ opcode: 10, payload: [], mask: MASK }),
      wsFrame({ opcode: 0, payload: mqtt.subarray(5), mask: MASK }),
      wsFrame({ opcode: 8, payload: [0x03, 0xe8], mask: MASK }),
    );
    for (const chunk of [1, 2, 5, frames.length]) {
      const { r, got, bytes } = reader(true);
      feed(r, frames, chunk);
      expect(bytes()).toBe(hex(mqtt));
      expect(got.frames).toEqual([2, 9, 0, 10, 0, 8]);
      expect(got.problems).toEqual([]);
    }
  });

  it("reports what RFC 6455 forbids, and goes on reading the frames it can", () => {
    const { r, got, bytes } = reader(true);
    r.push(wsFrame({ opcode: 2, payload: mqtt }), 0); // unmasked from the client
    r.push(wsFrame({ opcode: 1, payload: text("hello"), mask: MASK }), 1);
    r.push(wsFrame({ opcode: 3, payload: [1, 2], mask: MASK }), 2);
    r.push(wsFrame({ opcode: 2, payload: mqtt, mask: MASK, rsv: 4 }), 3);
    r.push(wsFrame({ opcode: 0, payload: [1], mask: MASK }), 4);
    r.push(wsFrame({ opcode: 9, payload: [], fin: false, mask: MASK }), 5);
    expect(got.problems).toEqual([
      "an unmasked frame from the client (RFC 6455 §5.1)",
      "a text frame: MQTT travels in binary frames [MQTT-6.0.0-1]",
      "a frame with the reserved opcode 3 (RFC 6455 §5.2): skipped",
      "RSV bits 100 with no extension negotiated for them (RFC 6455 §5.2)",
      "a continuation frame with no message to continue (RFC 6455 §5.4)",
      "a fragmented or over-long control frame (RFC 6455 §5.5)",
    ]);
    // The text and reserved frames' bytes are not MQTT; the binary ones are.
    expect(bytes()).toBe(hex(concat(mqtt, mqtt)));
    const server = reader(false);
    server.r.push(wsFrame({ opcode: 2, payload: mqtt, mask: MASK }), 0);
    expect(server.got.problems).toEqual(["a masked frame from the server (RFC 6455 §5.1)"]);
  });

  it("does not decode a compressed message, and says the MQTT bytes have a hole", () => {
    const { r, got, bytes } = reader(false);
    r.deflate = true;
    r.push(concat(wsFrame({ opcode: 2, payload: [0xf2, 0x00], rsv: 4 }), wsFrame({ opcode: 2, payload: mqtt })), 0);
    expect(got.gaps).toBe(1);
    expect(bytes()).toBe(hex(mqtt));
    expect(got.problems).toEqual(["a compressed (permessage-deflate) message: its bytes are not decoded"]);
  });

  it("finds the next frame after a gap, counting the bytes passed over", () => {
    const frame = wsFrame({ opcode: 2, payload: mqtt, mask: MASK });
    const { r, got, bytes } = reader(true);
    r.push(frame.subarray(0, 5), 0);
    r.gap(1);
    // The rest of the cut frame, then two whole ones.
    r.push(concat(frame.subarray(9), frame, frame), 2);
    r.end();
    expect(got.gaps).toBe(1);
    expect(got.skipped).toBe(frame.length - 9);
    expect(bytes()).toBe(hex(concat(mqtt, mqtt)));
  });

  it("joins a stream mid-way at a frame boundary it can confirm", () => {
    const frame = wsFrame({ opcode: 2, payload: mqtt });
    const { r, got, bytes } = reader(false);
    r.startMidStream();
    r.push(concat([0x41, 0x42, 0x43], frame, frame), 0);
    r.end();
    expect(got.skipped).toBe(3);
    expect(bytes()).toBe(hex(concat(mqtt, mqtt)));
  });
});
