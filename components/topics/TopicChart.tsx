"use client";
import { useMemo, useState } from "react";
import { Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { decodePayload, numericLeaves, type DecoderId } from "@/lib/payload/decoders";
import type { RecentMessage } from "@/lib/topics/recent";
import s from "./topics.module.css";

const time = (t: number) => new Date(t).toLocaleTimeString();

/** The numeric values (a number payload, or a JSON field) of the listed messages over time. */
export function TopicChart({ topic, messages, decoder }: { topic: string; messages: readonly RecentMessage[]; decoder?: DecoderId }) {
  const series = useMemo(() => {
    const byField = new Map<string, { t: number; v: number }[]>();
    for (const m of messages) {
      for (const [field, v] of Object.entries(numericLeaves(decodePayload(m.payload.bytes, topic, decoder).result))) {
        let points = byField.get(field);
        if (!points) byField.set(field, (points = []));
        points.push({ t: m.ts, v });
      }
    }
    for (const points of byField.values()) points.sort((a, b) => a.t - b.t);
    return byField;
  }, [messages, topic, decoder]);
  // A sequence number is a counter, not a measurement: offer it last.
  const fields = [...series.keys()].sort((a, b) => Number(a === "seq") - Number(b === "seq"));
  const [picked, setPicked] = useState<string | null>(null);
  const field = picked !== null && series.has(picked) ? picked : fields[0];
  if (!field) return null;
  const points = series.get(field)!;
  return (
    <section aria-label="Chart">
      <div className={s.inline}>
        <strong>Chart</strong>
        {fields.length > 1 && (
          <label className="small">
            field{" "}
            <select value={field} onChange={(e) => setPicked(e.target.value)}>
              {fields.map((f) => (
                <option key={f}>{f}</option>
              ))}
            </select>
          </label>
        )}
        <span className="muted small">{points.length} points from the messages listed below</span>
      </div>
      {points.length < 2 ? (
        <p className="muted small">waiting for a second value…</p>
      ) : (
        <ResponsiveContainer width="100%" height={140}>
          <LineChart data={points} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} tickFormatter={time} stroke="var(--muted)" fontSize={11} />
            <YAxis domain={["auto", "auto"]} stroke="var(--muted)" fontSize={11} width={48} />
            <Tooltip labelFormatter={(t) => time(Number(t))} contentStyle={{ background: "var(--panel)", border: "1px solid var(--border)" }} />
            <Line dataKey="v" name={field} stroke="var(--accent)" dot={false} isAnimationActive={false} strokeWidth={1.5} />
          </LineChart>
        </ResponsiveContainer>
      )}
    </section>
  );
}
