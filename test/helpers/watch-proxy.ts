/**
 * A TCP proxy between an MQTT client and its broker that tells, synchronously and before
 * forwarding, each packet type the client sends: the vantage point of the broker, which sees a
 * PUBACK only once it has left the client process.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";

export interface WatchProxy {
  url: string;
  close(): Promise<void>;
}

/** MQTT fixed header: type in the high nibble of byte 0, then a variable-length remaining length. */
function splitPackets(buf: Buffer, onType: (type: number) => void): Buffer {
  let at = 0;
  for (;;) {
    let len = 0;
    let mul = 1;
    let i = at + 1;
    for (; i < buf.length; i++) {
      len += (buf[i]! & 0x7f) * mul;
      mul *= 128;
      if ((buf[i]! & 0x80) === 0) break;
    }
    if (i >= buf.length || i + 1 + len > buf.length) return buf.subarray(at);
    onType(buf[at]! >> 4);
    at = i + 1 + len;
  }
}

export async function startWatchProxy(brokerUrl: string, onClientPacket: (type: number) => void): Promise<WatchProxy> {
  const { hostname, port } = new URL(brokerUrl);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let rest: Buffer = Buffer.alloc(0);
    client.on("data", (d: Buffer) => {
      rest = splitPackets(Buffer.concat([rest, d]), onClientPacket);
      upstream.write(d);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
