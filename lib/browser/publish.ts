/**
 * Publishing from the browser, with the handshake it completed: QoS 0 is PUBLISH alone, QoS 1
 * PUBLISH → PUBACK, QoS 2 PUBLISH → PUBREC → PUBREL → PUBCOMP, each step timed from MQTT.js's
 * `packetsend` / `packetreceive` events (docs/architecture.md, gotcha 3). This is the hop browser → broker
 * only: QoS is per hop, so it says nothing of who received the message.
 */
// The npm package in the browser, Node's own module on the server: MQTT.js wants a Buffer.
import { Buffer } from "buffer";
import type { IPublishPacket, MqttClient, Packet } from "mqtt";
import type { QoS } from "../mqtt/packet";
import type { HandshakePacket, PublishOutcome, PublishProperties } from "../state/connection";
import { reasonText } from "../mqtt/reason";

/** Waiting for the broker's answer past this makes the publish "unanswered", not pending forever. */
export const PUBLISH_TIMEOUT_MS = 10_000;

export const EXPECTED_STEPS: Record<QoS, HandshakePacket[]> = {
  0: ["PUBLISH"],
  1: ["PUBLISH", "PUBACK"],
  2: ["PUBLISH", "PUBREC", "PUBREL", "PUBCOMP"],
};

const ACKS: Record<string, Exclude<HandshakePacket, "PUBLISH">> = { puback: "PUBACK", pubrec: "PUBREC", pubrel: "PUBREL", pubcomp: "PUBCOMP" };

export function publishTraced(client: MqttClient, topic: string, payload: Uint8Array, opts: { qos: QoS; retain: boolean; properties?: PublishProperties }): Promise<PublishOutcome> {
  const steps: PublishOutcome["steps"] = [];
  let start = 0;
  let messageId: number | undefined;
  const onPacket = (packet: Packet) => {
    if (packet.cmd === "publish") {
      const p = packet as IPublishPacket;
      if (steps.length > 0 || p.topic !== topic) return;
      start = performance.now();
      messageId = p.messageId;
      steps.push({ packet: "PUBLISH", atMs: 0 });
      return;
    }
    const name = ACKS[packet.cmd];
    if (!name || steps.length === 0 || !("messageId" in packet) || packet.messageId !== messageId) return;
    const atMs = performance.now() - start;
    // MQTT 5 acknowledgements carry a reason code, 0x00 Success when left out (MQTT 5.0 §3.4.2.1).
    if (client.options.protocolVersion !== 5) steps.push({ packet: name, atMs });
    else steps.push({ packet: name, atMs, reason: reasonText(name, ("reasonCode" in packet ? packet.reasonCode : undefined) ?? 0, 5) });
  };
  return new Promise((resolve) => {
    if (!client.connected) {
      resolve({ qos: opts.qos, steps, complete: false, totalMs: 0, error: "not connected to the broker" });
      return;
    }
    client.on("packetsend", onPacket);
    client.on("packetreceive", onPacket);
    const finish = (error: string | null) => {
      clearTimeout(timer);
      client.off("packetsend", onPacket);
      client.off("packetreceive", onPacket);
      const complete = error === null;
      resolve({ qos: opts.qos, steps: [...steps], complete, totalMs: steps.length ? performance.now() - start : 0, error });
    };
    const timer = setTimeout(() => finish(`no ${EXPECTED_STEPS[opts.qos].at(-1)} within ${PUBLISH_TIMEOUT_MS / 1000} s`), PUBLISH_TIMEOUT_MS);
    // The callback runs at PUBACK (QoS 1), PUBCOMP (QoS 2), or once written (QoS 0).
    client.publish(topic, Buffer.from(payload), { qos: opts.qos, retain: opts.retain, ...(opts.properties && { properties: opts.properties }) }, (err) => finish(err ? err.message : null));
  });
}
