/**
 * The MQTT 5 properties the publish tool may set on a PUBLISH (MQTT 5.0 §3.3.2.3), from what the
 * user typed, or which field is wrong and why before anything is sent. On 3.1.1 there are none.
 */
// The npm package in the browser, Node's own module on the server: MQTT.js wants a Buffer.
import { Buffer } from "buffer";
import type { PublishProperties } from "../state/connection";
import { encodePayload, type PayloadFormat } from "../payload/encode";
import { validateTopicName } from "../mqtt/topic";


export interface PublishPropertiesForm {
  contentType: string;
  /** "" leaves the indicator out; "1" says the payload is UTF-8. */
  payloadFormat: "" | "0" | "1";
  responseTopic: string;
  correlationData: string;
  correlationFormat: Extract<PayloadFormat, "text" | "hex" | "base64">;
  /** Seconds; "" for no expiry. */
  messageExpiry: string;
  userProperties: readonly { key: string; value: string }[];
}

export const EMPTY_PUBLISH_PROPERTIES: PublishPropertiesForm = {
  contentType: "",
  payloadFormat: "",
  responseTopic: "",
  correlationData: "",
  correlationFormat: "text",
  messageExpiry: "",
  userProperties: [],
};

export type PropertyField = "contentType" | "payloadFormat" | "responseTopic" | "correlationData" | "messageExpiry" | "userProperties";

/** The largest Four Byte Integer [MQTT-1.5.3]. */
const MAX_FOUR_BYTE = 0xffff_ffff;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export function checkPublishProperties(
  form: PublishPropertiesForm,
  payload: Uint8Array,
): { errors: Partial<Record<PropertyField, string>>; properties: PublishProperties | null } {
  const errors: Partial<Record<PropertyField, string>> = {};
  const properties: PublishProperties = {};
  if (form.contentType !== "") properties.contentType = form.contentType;
  if (form.payloadFormat !== "") {
    properties.payloadFormatIndicator = form.payloadFormat === "1";
    if (form.payloadFormat === "1") {
      try {
        strictUtf8.decode(payload);
      } catch {
        // Format 1 promises well-formed UTF-8 (MQTT 5.0 §3.3.2.3.2): a receiver may refuse it with 0x99 Payload format invalid.
        errors.payloadFormat = "the payload is not valid UTF-8, so it must not be marked as UTF-8 (MQTT 5.0 §3.3.2.3.2)";
      }
    }
  }
  if (form.responseTopic !== "") {
    const check = validateTopicName(form.responseTopic);
    // The Response Topic is a topic name, never a filter [MQTT-3.3.2-14].
    if (!check.ok) errors.responseTopic = check.reason;
    else properties.responseTopic = form.responseTopic;
  }
  if (form.correlationData !== "") {
    const encoded = encodePayload(form.correlationData, form.correlationFormat);
    if (!encoded.ok) errors.correlationData = encoded.error;
    else properties.correlationData = Buffer.from(encoded.bytes);
  }
  if (form.messageExpiry.trim() !== "") {
    const seconds = Number(form.messageExpiry);
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_FOUR_BYTE) errors.messageExpiry = `seconds, a whole number from 0 to ${MAX_FOUR_BYTE}`;
    else properties.messageExpiryInterval = seconds;
  }
  const pairs = form.userProperties.filter((p) => p.key !== "" || p.value !== "");
  if (pairs.length > 0) {
    // MQTT.js takes a key's repeats as an array, and sends them in order [MQTT-3.3.2-18].
    const user: Record<string, string | string[]> = {};
    for (const { key, value } of pairs) {
      const had = user[key];
      user[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
    }
    properties.userProperties = user;
  }
  const ok = Object.keys(errors).length === 0;
  return { errors, properties: ok ? properties : null };
}
