import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HeldAcks } from "./held-acks";

/** A real TCP connection: the client side to write acknowledgements into, the bytes the server got. */
let server: Server;
let client: Socket;
let received: Buffer[];
let serverSide: Socket;

beforeEach(async () => {
  received = [];
  server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const accepted = once(server, "connection");
  client = connect((server.address() as AddressInfo).port, "127.0.0.1");
  await once(client, "connect");
  [serverSide] = (await accepted) as [Socket];
  serverSide.on("data", (d: Buffer) => received.push(d));
});
afterEach(async () => {
  client.destroy();
  serverSide.destroy();
  server.close();
  await once(server, "close");
});

describe("HeldAcks", () => {
  it("keeps what is written after an item in the process until the item's group has committed", async () => {
    let bufferedAtCommit = -1;
    let committed: string[] = [];
    const held = new HeldAcks<string>(
      (items) => {
        committed = items;
        bufferedAtCommit = client.writableLength;
      },
      () => undefined,
    );
    held.add(client, "m1");
    client.write("ack1");
    held.add(client, "m2");
    client.write("ack2");
    expect(held.size()).toBe(2);
    const arrived = once(serverSide, "data");
    await arrived;
    // At the commit both acknowledgements were still in the socket's buffer: none had left.
    expect(bufferedAtCommit).toBe("ack1ack2".length);
    expect(committed).toEqual(["m1", "m2"]);
    expect(held.size()).toBe(0);
    expect(Buffer.concat(received).toString()).toBe("ack1ack2");
  });

  it("drops the connection, and the acknowledgements with it, when the commit fails", async () => {
    const failures: unknown[] = [];
    const held = new HeldAcks<string>(
      () => {
        throw new Error("disk full (test)");
      },
      (err) => failures.push(err),
    );
    held.add(client, "m1");
    client.write("ack1");
    await once(serverSide, "close");
    expect(received).toHaveLength(0);
    expect(failures).toHaveLength(1);
    expect(client.destroyed).toBe(true);
  });

  it("commits the open group at once when asked, before the socket is ended", async () => {
    const committed: string[][] = [];
    const held = new HeldAcks<string>((items) => committed.push(items), () => undefined);
    held.add(client, "m1");
    client.write("ack1");
    held.commitNow();
    expect(committed).toEqual([["m1"]]);
    client.end();
    await once(serverSide, "end");
    expect(Buffer.concat(received).toString()).toBe("ack1");
  });
});
