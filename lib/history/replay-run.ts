import "server-only";
/**
 * Republishes a stored window into a broker (`npm run replay`): oldest first, each message at
 * its original QoS and retain flag, paced so the gaps between messages are the original ones
 * divided by the speed (replay-plan.ts). The next store page is read while the current one is
 * published, so a long window neither stalls at page ends nor builds up in memory.
 */
import type { MqttClient } from "mqtt";
import type { EpochMs } from "../devices/model";
import type { MessagePage, MessageQuery, StoredMessage } from "../store/types";
import { count, dueAt, emptyTotals, type ReplayClock, type ReplayTotals } from "./replay-plan";

/** Messages read per store round trip. */
const PAGE = 1000;
/** Acknowledgements awaited at most at once; past this, publishing waits for the oldest. */
const MAX_UNACKED = 1000;

export interface ReplayOptions {
  source: { queryMessages(q: MessageQuery): Promise<MessagePage> };
  client: Pick<MqttClient, "publishAsync">;
  from: EpochMs;
  to: EpochMs;
  filter?: string;
  speed: number;
  /** Called after each publish with the running totals and how late that publish was. */
  onPublish?: (totals: ReplayTotals, m: StoredMessage, lagMs: number) => void;
  now?: () => number;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const bytesOf = (m: StoredMessage) => Buffer.from(m.payload, m.encoding === "base64" ? "base64" : "utf8");

export async function replayWindow(o: ReplayOptions): Promise<ReplayTotals> {
  const now = o.now ?? (() => performance.now());
  const totals = emptyTotals();
  const read = (cursor?: string) => o.source.queryMessages({ topic: o.filter, from: o.from, to: o.to, limit: PAGE, cursor, order: "asc" });
  const unacked = new Set<Promise<unknown>>();
  let clock: ReplayClock | null = null;
  let page = await read();
  for (;;) {
    const ahead = page.next ? read(page.next) : null;
    ahead?.catch(() => undefined); // awaited below
    for (const m of page.messages) {
      clock ??= { first: m.ts, start: now(), speed: o.speed };
      const due = dueAt(clock, m.ts);
      const early = due - now();
      if (early > 1) await wait(early);
      const sent = o.client.publishAsync(m.topic, bytesOf(m), { qos: m.qos, retain: m.retain });
      const t = now();
      count(totals, m, due, t);
      o.onPublish?.(totals, m, Math.max(0, t - due));
      unacked.add(sent);
      void sent.finally(() => unacked.delete(sent)).catch(() => undefined);
      if (unacked.size >= MAX_UNACKED) await Promise.race(unacked);
    }
    if (!ahead) break;
    page = await ahead;
  }
  // Done when the broker has every QoS 1 and 2 message: a failed one fails the replay.
  await Promise.all(unacked);
  return totals;
}
