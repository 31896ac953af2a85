/**
 * What a SUBACK's granted QoS means for the hop it covers, in the words the UI and /api/health use.
 * QoS is per hop, and a broker may grant a lower maximum QoS than a subscription asked for
 * [MQTT-3.9.3-1]; it then delivers each message at the lower of the published and the granted QoS
 * [MQTT-3.8.4-6]. RabbitMQ's MQTT plugin grants at most QoS 1, and Mosquitto with `max_qos 1`
 * likewise: on such a hop "exactly once" is not true, and is never said. Pure.
 */
import type { QoS } from "../mqtt/packet";

/** [MQTT-3.9.3-2] The return code of a refused subscription. */
export const SUBACK_FAILURE = 0x80;

export interface Grant {
  /** The QoS the SUBSCRIBE asked for. */
  asked: QoS;
  /** The QoS the SUBACK granted, or null when it refused the subscription. */
  granted: QoS | null;
  /** Granted, and lower than asked. */
  downgraded: boolean;
  /** One sentence an operator reads. */
  note: string;
}

const PROMISE: Record<QoS, string> = {
  0: "at most once (may be lost)",
  1: "at least once (may arrive twice)",
  2: "exactly once",
};

/** A SUBACK return code read against what was asked. */
export function grantOf(asked: QoS, returnCode: number): Grant {
  if (returnCode === SUBACK_FAILURE || returnCode < 0 || returnCode > 2) {
    return { asked, granted: null, downgraded: false, note: `asked for QoS ${asked}; the broker refused the subscription` };
  }
  const granted = returnCode as QoS;
  if (granted >= asked) return { asked, granted, downgraded: false, note: `QoS ${granted} as asked: ${PROMISE[granted]} on this hop` };
  return {
    asked,
    granted,
    downgraded: true,
    note: `asked for QoS ${asked}, the broker granted QoS ${granted}: ${PROMISE[granted]} on this hop, not ${PROMISE[asked].replace(/ \(.*\)$/, "")}`,
  };
}

/** The QoS a message published at `published` is delivered at on a hop granted `granted` [MQTT-3.8.4-6]. */
export function deliveredQos(published: QoS, granted: QoS): QoS {
  return Math.min(published, granted) as QoS;
}

/**
 * How the command form describes a command's trip at QoS 2, given the most the broker grants
 * (null: not known, as when no bridge runs here).
 */
export function commandQosNote(brokerGrant: QoS | null): string {
  if (brokerGrant === null || brokerGrant >= 2) return "Sent at QoS 2 (exactly once to the broker)";
  return `Sent at QoS 2, but this broker grants at most QoS ${brokerGrant}: ${PROMISE[brokerGrant]} to the device, not exactly once`;
}
