/**
 * The tab's MQTT connection as pages reach it through the store (`useFleet((s) => s.mqtt)`):
 * watch a filter, publish with the handshake traced, follow the tab's own packets. The live
 * connection (lib/browser/live-feed.ts) and a past view's replay (lib/timetravel/replay-handle.ts)
 * implement it; declared here, types only, so the store holds a handle without importing either.
 */
import type { IPublishPacket } from "mqtt";
import type { QoS, TraceEvent } from "../mqtt/packet";
import type { TopicMessage } from "../topics/tree";

/** The MQTT 5 properties a PUBLISH may carry (MQTT 5.0 §3.3.2.3). */
export type PublishProperties = NonNullable<IPublishPacket["properties"]>;

export type HandshakePacket = "PUBLISH" | "PUBACK" | "PUBREC" | "PUBREL" | "PUBCOMP";

export interface PublishOutcome {
  qos: QoS;
  /** Each packet of the handshake with its time, ms after the PUBLISH was sent, and on MQTT 5 its reason code named. */
  steps: { packet: HandshakePacket; atMs: number; reason?: string }[];
  /** The last expected step arrived (PUBLISH written, PUBACK, or PUBCOMP). */
  complete: boolean;
  totalMs: number;
  error: string | null;
}

export type WatchState = { state: "subscribing" | "subscribed" } | { state: "error"; error: string };

export interface WatchHandlers {
  /** A batch per animation frame of the messages matching the filter. */
  onBatch(batch: TopicMessage[]): void;
  onState(state: WatchState): void;
}

/** What pages do with the tab's connection besides the live feed. */
export interface MqttHandle {
  /** Subscribes to `filter` until the returned function is called. */
  watch(filter: string, handlers: WatchHandlers): () => void;
  /** `properties` are MQTT 5's: sent only on a level 5 connection. */
  publish(topic: string, payload: Uint8Array, opts: { qos: QoS; retain: boolean; properties?: PublishProperties }): Promise<PublishOutcome>;
  /** This tab's own handshake packets, a batch per frame, until the returned function is called. */
  trace(onBatch: (batch: TraceEvent[]) => void): () => void;
}
