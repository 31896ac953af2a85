"use client";
import { explainFixedHeader, headerFromHex } from "@/lib/mqtt/framer";
import { hexCode } from "@/lib/mqtt/reason";
import { messagePath } from "@/lib/qos/delivery-stats";
import type { TracedPacket } from "@/lib/state/trace-feed";
import { SequenceDiagram } from "./SequenceDiagram";
import s from "./wire.module.css";
import { counted } from "@/lib/text/counted";
import { formatMs } from "@/lib/text/milliseconds";

/** The fixed header bit by bit beside its raw bytes, the rest of the packet, its flow and its message's path. */
export function PacketDetail({ packet, packets, nested = false }: { packet: TracedPacket; packets: readonly TracedPacket[]; nested?: boolean }) {
  const Heading = nested ? "h3" : "h2";
  const bytes = headerFromHex(packet.header);
  const h = explainFixedHeader(bytes);
  const headerLength = bytes.length;
  const publish = packet.flow ? packets.find((e) => e.flow?.key === packet.flow!.key && e.type === "publish") : undefined;
  const path = publish ? messagePath(packets, publish) : [];
  return (
    <section className={s.panel} aria-label="Packet detail">
      <Heading className={s.heading}>
        {packet.type.toUpperCase()} on {packet.hop} ({packet.from === "client" ? "client → broker" : "broker → client"})
      </Heading>
      <table className={s.bits} aria-label="Fixed header">
        <thead>
          <tr>
            <th colSpan={4}>type</th>
            <th>{packet.type === "publish" ? "DUP" : "—"}</th>
            <th colSpan={2}>{packet.type === "publish" ? "QoS" : "flags"}</th>
            <th>{packet.type === "publish" ? "RETAIN" : "—"}</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            {h.bits.split("").map((b, i) => (
              <td key={i}>{b}</td>
            ))}
          </tr>
          <tr>
            <td colSpan={4}>{h.type} ({bytes[0]! >> 4})</td>
            <td colSpan={4}>{h.flags}</td>
          </tr>
        </tbody>
      </table>
      <div className="small">
        <div>
          raw fixed header: <span className={s.mono}>{Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ")}</span>
        </div>
        <div>
          remaining length {h.remainingLength} in {counted(h.lengthBytes.length, "byte")}:{" "}
          <span className={s.mono}>{h.lengthBytes.join(" ")}</span> (7 bits each, low first; the top bit says another follows)
        </div>
        <div>
          then {h.remainingLength} bytes: variable header
          {packet.topic !== undefined && packet.type === "publish" ? ` (topic "${packet.topic}"${packet.id !== undefined ? `, packet id ${packet.id}` : ""})` : packet.id !== undefined ? ` (packet id ${packet.id})` : ""}
          {packet.payloadBytes !== undefined ? ` and ${packet.payloadBytes} payload bytes` : ""}; {headerLength + h.remainingLength} bytes on the wire.
        </div>
        {packet.reason && (
          <div data-testid="reason-code">
            reason code <span className={s.mono}>{hexCode(packet.reason.code)}</span> {packet.reason.name} (MQTT 5)
          </div>
        )}
      </div>
      {packet.flow && (
        <div className="small">
          flow: <span className={s[`state-${packet.flow.state}`]}>{packet.flow.state.replace("_", " ")}</span>
          {packet.flow.latencyMs !== null ? `, handshake ${formatMs(packet.flow.latencyMs)} ms` : ""}
          {packet.flow.retransmissions > 0 ? `, ${packet.flow.retransmissions} retransmission(s)` : ""}
          {packet.flow.anomalies.map((a) => (
            <div key={a} className={s.warn}>
              {a}
            </div>
          ))}
        </div>
      )}
      {path.length > 0 && (
        <>
          <strong className="small">This message on every hop seen</strong>
          <SequenceDiagram packets={path} />
        </>
      )}
    </section>
  );
}
