/**
 * What the embedded broker does for a WebSocket client that reads slower than messages arrive
 * (a busy browser tab): its QoS 0 messages are dropped while its backlog is over a bound, so it
 * sees recent values instead of a queue that grows by the minute, and it never holds up the
 * publishers and the other subscribers. QoS 1 and 2 are always queued: they promise delivery.
 * Pure: the broker measures the backlog and counts; this decides.
 */
import type { QoS } from "../mqtt/packet";
import { processSingleton } from "../process/singleton";

/**
 * Bytes a WebSocket client may have waiting to be sent before its QoS 0 messages are dropped:
 * about a quarter of a second of the overview benchmark's stream (10,000 msgs/s of ~80 bytes),
 * so a page that falls behind shows values at most that late plus its own processing.
 */
export const QOS0_BACKLOG_LIMIT = 256 * 1024;

/**
 * The WebSocket stream's write buffer before Aedes waits for it to drain, well above the drop
 * limit: decisions for one batch of incoming packets are all taken before any of them is
 * written, so the backlog can overshoot the limit by one read of a publisher's socket (its
 * readable high-water mark plus one 64 KiB chunk); below this, dropping QoS 0 never turns into
 * back-pressure on the publishers. QoS 1 and 2 past it still wait, as they must.
 */
export const WS_WRITE_HIGH_WATER_MARK = 4 * QOS0_BACKLOG_LIMIT;


/**
 * Whether a message published at `publishedQos` goes to a client with `backlogBytes` waiting.
 * The published QoS, not the subscription's: a QoS 1 message delivered on a QoS 0
 * subscription is still one its publisher wanted delivered, so it is never dropped here.
 * [MQTT-4.3.1] QoS 0 is "at most once": the broker may lose it.
 */
export function forwardsTo(publishedQos: QoS, backlogBytes: number, limit = QOS0_BACKLOG_LIMIT): boolean {
  return publishedQos !== 0 || backlogBytes < limit;
}

/**
 * QoS 0 messages this process's embedded broker dropped for slow readers (GET /api/metrics).
 * On globalThis: the route Next bundles and the broker started by server.ts share it.
 */
export function qos0Drops(): { count: number } {
  return processSingleton("broker.qos0-drops", () => ({ count: 0 }));
}
