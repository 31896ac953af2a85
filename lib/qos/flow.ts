/**
 * The QoS flow state machine: packets in (one hop, who sent each, time, type, packet id, QoS,
 * DUP), flows out. A flow is one PUBLISH and its handshake on one hop:
 *   QoS 0  PUBLISH                                  complete at once
 *   QoS 1  PUBLISH → PUBACK                         [MQTT-4.3.2]
 *   QoS 2  PUBLISH → PUBREC → PUBREL → PUBCOMP      [MQTT-4.3.3]
 * Packet ids are per sender within a session [MQTT-2.3.1-4], so a flow is keyed by hop, sender
 * and id. Pure: time comes in with the packets and with `sweep`, which turns flows that waited
 * too long for an answer into "stuck" ones (still completed if the answer comes late).
 */

import type { FlowState, PacketType, QoS, Side } from "../mqtt/packet";

export interface TracePacket {
  /** One network connection's pair, e.g. `device:arm-01` or `bridge`. */
  hop: string;
  /** Who sent this packet on the hop. */
  from: Side;
  t: number;
  type: PacketType;
  /** Absent on QoS 0 PUBLISH [MQTT-2.3.1-5]. */
  id?: number;
  qos: QoS;
  dup: boolean;
  topic?: string;
}

export interface FlowStep {
  type: PacketType;
  from: Side;
  t: number;
  dup: boolean;
}

export interface Flow {
  key: string;
  hop: string;
  /** Who sent the PUBLISH. */
  sender: Side;
  id: number | null;
  qos: QoS;
  topic: string | null;
  state: FlowState;
  steps: FlowStep[];
  /** Handshake steps made, resends not counted: NEXT[qos][progress] is the packet awaited. */
  progress: number;
  /** PUBLISH resent with DUP, or PUBREL resent. */
  retransmissions: number;
  /** From the first PUBLISH to the step that completed the flow. */
  latencyMs: number | null;
  /** Protocol rules this flow's packets broke, in words. */
  anomalies: string[];
}

/** A stuck flow is forgotten after this many stuck timeouts with no packet. */
export const FORGET_AFTER_STUCK = 120;

/** The packet each QoS level waits for next, by how many steps the flow has made. */
const NEXT: Record<QoS, PacketType[]> = {
  0: ["publish"],
  1: ["publish", "puback"],
  2: ["publish", "pubrec", "pubrel", "pubcomp"],
};

/** Who sends each handshake packet, relative to the PUBLISH's sender. */
const SENT_BY_RECEIVER: Record<PacketType, boolean> = { publish: false, puback: true, pubrec: true, pubrel: false, pubcomp: true };

const other = (s: Side): Side => (s === "client" ? "server" : "client");

/** Who sent the PUBLISH a packet of type `type` sent by `from` belongs to. */
export const senderOf = (type: PacketType, from: Side): Side => (SENT_BY_RECEIVER[type] ? other(from) : from);

export interface FlowChange {
  flow: Flow;
  /** A flow no packet can belong to: an acknowledgement with no PUBLISH seen. */
  orphan?: boolean;
}

export class FlowTracker {
  /** Flows waiting for a packet, by hop, then by sender and packet id as one number (no string per packet). */
  private readonly open = new Map<string, Map<number, Flow>>();
  /** Open flows whose hop has resumed its session since: their next PUBLISH is a resend. */
  private readonly resumed = new Set<Flow>();
  private sequence = 0;

  constructor(private readonly stuckAfterMs: number) {}

  /** Whether `sender`'s flow with this id on `hop` waits for a packet. */
  isOpen(hop: string, sender: Side, id: number | undefined): boolean {
    return this.open.get(hop)?.has(slot(sender, id)) ?? false;
  }

  /** Flows not yet complete (in flight or stuck). */
  pending(): Flow[] {
    return [...this.open.values()].flatMap((flows) => [...flows.values()]);
  }

  /** A new session on `hop`: a clean one discards its in-flight flows [MQTT-3.1.2-6]; a resumed one keeps them. */
  session(hop: string, clean: boolean, t: number): Flow[] {
    if (!clean) {
      for (const flow of this.open.get(hop)?.values() ?? []) this.resumed.add(flow);
      return [];
    }
    const dropped: Flow[] = [];
    for (const flow of this.open.get(hop)?.values() ?? []) {
      flow.anomalies.push(`session discarded at ${t} before the handshake completed`);
      flow.state = "stuck";
      this.resumed.delete(flow);
      dropped.push(flow);
    }
    this.open.delete(hop);
    return dropped;
  }

  apply(p: TracePacket): FlowChange {
    if (p.type === "publish") return this.publish(p);
    const sender = senderOf(p.type, p.from);
    const flow = this.open.get(p.hop)?.get(slot(sender, p.id));
    if (!flow) return { flow: orphan(p, sender, `${p.type.toUpperCase()} for packet id ${p.id} with no PUBLISH in flight`), orphan: true };
    const step: FlowStep = { type: p.type, from: p.from, t: p.t, dup: p.dup };
    const expected = NEXT[flow.qos][flow.progress];
    if (p.type === "pubrel" && flow.steps.some((s) => s.type === "pubrel")) {
      // PUBREL resent after a reconnect [MQTT-4.4.0-1].
      flow.retransmissions++;
      flow.steps.push(step);
      return { flow };
    }
    if (p.type === "pubrec" && flow.steps.at(-1)!.type === "pubrec" && flow.retransmissions > 0) {
      // The answer to a DUP PUBLISH that crossed the first PUBREC: nothing is wrong.
      flow.steps.push(step);
      return { flow };
    }
    if (flow.qos === 1 && p.type !== "puback") flow.anomalies.push(`${p.type.toUpperCase()} in a QoS 1 flow`);
    else if (flow.qos === 2 && p.type === "puback") flow.anomalies.push("PUBACK in a QoS 2 flow");
    else if (expected !== p.type) flow.anomalies.push(`${p.type.toUpperCase()} where ${expected?.toUpperCase() ?? "nothing"} was expected`);
    flow.steps.push(step);
    flow.progress++;
    const last = NEXT[flow.qos].at(-1);
    // The final acknowledgement ends the flow even after an anomaly: the sender is done with the id.
    if (p.type === last || (flow.qos === 1 && p.type === "puback")) this.finish(flow, p.t);
    return { flow };
  }

  /** Flows that waited longer than the timeout since their last step become stuck. */
  sweep(now: number): Flow[] {
    const stuck: Flow[] = [];
    for (const [hop, flows] of this.open) {
      for (const [key, flow] of flows) {
        const idle = now - flow.steps.at(-1)!.t;
        if (flow.state === "in_flight" && idle >= this.stuckAfterMs) {
          flow.state = "stuck";
          stuck.push(flow);
        }
        // A client that went away for good never answers: its flows must not be kept forever.
        if (idle >= FORGET_AFTER_STUCK * this.stuckAfterMs) {
          flows.delete(key);
          this.resumed.delete(flow);
        }
      }
      if (flows.size === 0) this.open.delete(hop);
    }
    return stuck;
  }

  private publish(p: TracePacket): FlowChange {
    const step: FlowStep = { type: "publish", from: p.from, t: p.t, dup: p.dup };
    if (p.qos === 0) {
      const flow = newFlow(`${p.hop}|${p.from}|q0|${++this.sequence}`, p, null);
      flow.steps.push(step);
      if (p.dup) flow.anomalies.push("DUP set on a QoS 0 PUBLISH [MQTT-3.3.1-2]");
      flow.state = "complete";
      flow.latencyMs = 0;
      return { flow };
    }
    let flows = this.open.get(p.hop);
    if (!flows) this.open.set(p.hop, (flows = new Map()));
    const key = slot(p.from, p.id);
    const existing = flows.get(key);
    const resumed = existing !== undefined && this.resumed.delete(existing);
    if (existing && (p.dup || resumed)) {
      existing.retransmissions++;
      existing.steps.push(step);
      // Aedes 1.2 does this: the resend is right, the missing flag is not.
      if (!p.dup) existing.anomalies.push("re-sent after the session resumed without DUP set [MQTT-3.3.1-1]");
      return { flow: existing };
    }
    if (existing) {
      // A new message on an id still in use: the old flow can never complete now.
      existing.anomalies.push(`packet id ${p.id} reused before the handshake completed`);
      existing.state = "stuck";
      flows.delete(key);
      this.resumed.delete(existing);
    }
    const flow = newFlow(`${p.hop}|${p.from}|${p.id ?? -1}|${++this.sequence}`, p, p.id ?? null);
    flow.steps.push(step);
    if (p.id === undefined) flow.anomalies.push(`QoS ${p.qos} PUBLISH without a packet id [MQTT-2.3.1-1]`);
    // A DUP resend whose first send we did not see (observer started late, session resumed).
    if (p.dup) flow.retransmissions++;
    flows.set(key, flow);
    return { flow };
  }

  private finish(flow: Flow, t: number) {
    flow.state = "complete";
    flow.latencyMs = t - flow.steps[0]!.t;
    // The hop's map stays even when this empties it (sweep drops empty ones): a hop whose every
    // flow completes before the next begins would otherwise make a new map per message.
    this.open.get(flow.hop)?.delete(slot(flow.sender, flow.id ?? undefined));
    this.resumed.delete(flow);
  }
}

/** Sender and packet id (1..65535 [MQTT-2.3.1-1], -1 when missing) as one number. */
function slot(sender: Side, id: number | undefined): number {
  return (sender === "client" ? 0 : 1 << 17) + (id ?? -1) + 1;
}

function newFlow(key: string, p: TracePacket, id: number | null): Flow {
  return { key, hop: p.hop, sender: p.from, id, qos: p.qos, topic: p.topic ?? null, state: "in_flight", steps: [], progress: 1, retransmissions: 0, latencyMs: null, anomalies: [] };
}

function orphan(p: TracePacket, sender: Side, why: string): Flow {
  const flow = newFlow(`${p.hop}|${sender}|orphan|${p.id}|${p.t}`, p, p.id ?? null);
  flow.steps.push({ type: p.type, from: p.from, t: p.t, dup: p.dup });
  flow.state = "stuck";
  flow.anomalies.push(why);
  return flow;
}
