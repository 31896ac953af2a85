"use client";
import { arrowOf, type Lane } from "@/lib/qos/delivery-stats";
import type { TracedPacket } from "@/lib/state/trace-feed";
import { formatMs } from "@/lib/text/milliseconds";
import s from "./wire.module.css";

const LANES: Lane[] = ["device", "broker", "bridge", "browser", "subscriber"];
const LANE_X: Record<Lane, number> = { device: 60, broker: 200, bridge: 340, browser: 480, subscriber: 620 };
const ROW = 34;
const TOP = 36;

/** One message's packets across hops: lanes device / broker / bridge / browser / other subscribers, an arrow each, with its time. */
export function SequenceDiagram({ packets }: { packets: readonly TracedPacket[] }) {
  if (packets.length === 0) return null;
  const origin = packets.find((p) => p.type === "publish" && p.from === "client")?.hop;
  const t0 = packets[0]!.t;
  const height = TOP + packets.length * ROW + 10;
  return (
    <svg className={s.diagram} viewBox={`0 0 680 ${height}`} width={680} height={height} style={{ maxWidth: "100%", height: "auto" }} role="img" aria-label="Sequence diagram">
      <defs>
        <marker id="arrowhead" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">
          <path d="M0,0 L8,4 L0,8 z" fill="var(--accent)" />
        </marker>
      </defs>
      {LANES.map((lane) => (
        <g key={lane}>
          <text x={LANE_X[lane]} y={16} textAnchor="middle" className={s.laneName}>{lane}</text>
          <line x1={LANE_X[lane]} x2={LANE_X[lane]} y1={24} y2={height} className={s.lane} />
        </g>
      ))}
      {packets.map((p, i) => {
        const { from, to } = arrowOf(p, origin);
        const y = TOP + i * ROW + 14;
        const [x1, x2] = [LANE_X[from], LANE_X[to]];
        return (
          <g key={p.seq} data-testid="sequence-arrow" data-packet={p.type} data-hop={p.hop}>
            <line x1={x1} x2={x2 + (x2 > x1 ? -4 : 4)} y1={y} y2={y} className={p.dup ? s.arrowDup : s.arrow} />
            <text x={(x1 + x2) / 2} y={y - 5} textAnchor="middle">
              {p.type.toUpperCase()}
              {p.id !== undefined ? ` #${p.id}` : ""}
              {p.dup ? " DUP" : ""} +{formatMs(p.t - t0)} ms
            </text>
          </g>
        );
      })}
    </svg>
  );
}
