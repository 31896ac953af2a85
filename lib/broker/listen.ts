import "server-only";
/** Binding a broker listener near the port asked for: a Mosquitto often holds 1883 (and 8883). */
import type { AddressInfo, Server } from "node:net";

/** Ports tried from the one asked for upwards before settling for any free one. */
const PORT_TRIES = 10;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * When the port is taken, the next free one, so devices find the broker on the same port after a
 * restart; past a few tries, any free port. `taken`: the port asked for was not the one bound.
 */
export async function listenNear(server: Server, port: number, host: string): Promise<{ port: number; taken: boolean }> {
  const candidates = port === 0 ? [0] : [...Array.from({ length: PORT_TRIES }, (_, i) => port + i).filter((p) => p <= 65535), 0];
  let taken = false;
  for (const candidate of candidates) {
    try {
      return { port: await listen(server, candidate, host), taken };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
      taken = true;
    }
  }
  throw new Error(`no free port from ${port}`);
}
