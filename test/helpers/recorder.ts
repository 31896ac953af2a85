/**
 * A client that records every message it gets, and `first`, which awaits one that is already
 * here or still to come: for tests that watch what a device publishes.
 */
import mqtt from "mqtt";
import { waitFor } from "./wait-for";

export interface TextMessage {
  topic: string;
  text: string;
  retain: boolean;
}

/** The first of `got` (from index `from`) that `pred` takes, waiting for it up to `timeoutMs`. */
export async function firstOf<M>(got: readonly M[], what: string, pred: (m: M) => boolean, from = 0, timeoutMs = 5000): Promise<M> {
  let hit: M | undefined;
  await waitFor(what, () => (hit = got.slice(from).find(pred)) !== undefined, timeoutMs);
  return hit!;
}

export async function recorder(url: string, filters: string | string[]) {
  const client = await mqtt.connectAsync(url, { clientId: `recorder-${Math.random().toString(36).slice(2)}` });
  const got: TextMessage[] = [];
  client.on("message", (topic, payload, packet) => got.push({ topic, text: payload.toString("utf8"), retain: packet.retain }));
  await client.subscribeAsync(filters, { qos: 1 });
  const first = (what: string, pred: (m: TextMessage) => boolean, from = 0) => firstOf(got, what, pred, from);
  return { client, got, first };
}
