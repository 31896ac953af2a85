/**
 * A received PUBLISH's MQTT 5 properties (MQTT 5.0 §3.3.2.3), as the tab keeps them beside the
 * message: plain data, bounded, never trusted. Device text is cut past MAX_PROPERTY_TEXT and
 * says so; Correlation Data is binary and kept as bytes, shown by the payload helpers.
 */
import type { IPublishPacket } from "mqtt";

/** Characters kept of one property string (a key, a value, a content type, a topic). */
export const MAX_PROPERTY_TEXT = 1024;
/** User Properties kept per message; the rest are counted in `userPropertiesLeftOut`. */
export const MAX_USER_PROPERTIES = 64;
/** Correlation Data bytes kept; `correlationDataLength` is the whole. */
export const MAX_CORRELATION_BYTES = 256;

export interface MessageProperties {
  /** 1: the payload is UTF-8 text (MQTT 5.0 §3.3.2.3.2); 0: unspecified bytes. The broker forwards it unaltered [MQTT-3.3.2-4]. */
  payloadFormatIndicator?: 0 | 1;
  /** Seconds the broker still had to keep the message when it sent it [MQTT-3.3.2-6]. */
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Uint8Array;
  correlationDataLength?: number;
  /** In the order they came; a key may repeat [MQTT-3.3.2-18]. */
  userProperties?: readonly (readonly [key: string, value: string])[];
  userPropertiesLeftOut?: number;
  /** Which of the tab's subscriptions matched [MQTT-3.3.4-3]. */
  subscriptionIdentifiers?: readonly number[];
  /** The Topic Alias the PUBLISH carried; `resolved`: it had no topic name, the tab knew the alias's topic. */
  topicAlias?: { alias: number; resolved: boolean };
}

/** `text`, or its first MAX_PROPERTY_TEXT characters marked as cut. */
export function boundedText(text: string): string {
  return text.length <= MAX_PROPERTY_TEXT ? text : `${text.slice(0, MAX_PROPERTY_TEXT)}… (cut: ${text.length} characters)`;
}

/**
 * The properties of a PUBLISH as MQTT.js parsed it, or undefined when it had none (every
 * message on 3.1.1). `packet.topic` is the topic on the wire: empty when an alias stood for it.
 */
export function messageProperties(packet: Pick<IPublishPacket, "topic" | "properties">): MessageProperties | undefined {
  const p = packet.properties;
  if (!p) return undefined;
  const out: MessageProperties = {};
  if (p.payloadFormatIndicator !== undefined) out.payloadFormatIndicator = p.payloadFormatIndicator ? 1 : 0;
  if (p.messageExpiryInterval !== undefined) out.messageExpiryInterval = p.messageExpiryInterval;
  if (p.contentType !== undefined) out.contentType = boundedText(p.contentType);
  if (p.responseTopic !== undefined) out.responseTopic = boundedText(p.responseTopic);
  if (p.correlationData !== undefined) {
    // A copy, not a view: MQTT.js may hand over a slice of a pooled buffer.
    out.correlationData = new Uint8Array(p.correlationData.subarray(0, MAX_CORRELATION_BYTES));
    out.correlationDataLength = p.correlationData.byteLength;
  }
  if (p.userProperties) {
    const pairs: (readonly [string, string])[] = [];
    let total = 0;
    for (const [key, values] of Object.entries(p.userProperties)) {
      for (const value of Array.isArray(values) ? values : [values]) {
        total++;
        if (pairs.length < MAX_USER_PROPERTIES) pairs.push([boundedText(key), boundedText(String(value))]);
      }
    }
    out.userProperties = pairs;
    if (total > pairs.length) out.userPropertiesLeftOut = total - pairs.length;
  }
  if (p.subscriptionIdentifier !== undefined) {
    out.subscriptionIdentifiers = Array.isArray(p.subscriptionIdentifier) ? p.subscriptionIdentifier : [p.subscriptionIdentifier];
  }
  if (p.topicAlias !== undefined) out.topicAlias = { alias: p.topicAlias, resolved: packet.topic.length === 0 };
  return Object.keys(out).length > 0 ? out : undefined;
}
