"use client";
import Link from "next/link";
import type { CaptureSummary } from "@/lib/captures/summary";
import { clockTime } from "@/lib/text/milliseconds";
import s from "./wire.module.css";

const DEVICES_SHOWN = 50;

/** An imported capture's summary: what it holds, each connection, and what is wrong with it. Text only: names come from the file. */
export function CaptureSummaryView({ summary }: { summary: CaptureSummary }) {
  const types = Object.entries(summary.byType).sort((a, b) => b[1] - a[1]);
  // Summaries kept before devices were listed have none.
  const devices = summary.devices ?? [];
  return (
    <section className={s.panel} aria-label="Capture summary">
      <h2 className={s.heading}>{summary.name}</h2>
      <p className="small" data-testid="capture-figures">
        {summary.frames} frames · {summary.mqttPackets} MQTT packets · flows {summary.flows.complete} complete, {summary.flows.in_flight} in flight, {summary.flows.stuck} stuck
        {summary.malformed > 0 ? ` · ${summary.malformed} malformed` : ""}
        {summary.truncated > 0 ? ` · ${summary.truncated} cut short by the capture` : ""}
        {summary.tcpGaps > 0 ? ` · ${summary.tcpGaps} TCP gaps` : ""}
        {summary.retransmissions > 0 ? ` · ${summary.retransmissions} TCP retransmissions (not MQTT duplicates)` : ""}
      </p>
      {types.length > 0 && <p className="small muted">{types.map(([t, n]) => `${t} ${n}`).join(" · ")}</p>}
      {devices.length > 0 && (
        <p className="small" aria-label="Devices in the capture">
          Delivery panels, from this capture:{" "}
          {devices.slice(0, DEVICES_SHOWN).map((d, i) => (
            <span key={d}>
              {i > 0 ? " · " : ""}
              <Link href={`/devices/${encodeURIComponent(d)}?${new URLSearchParams({ capture: summary.id })}`}>{d}</Link>
            </span>
          ))}
          {devices.length > DEVICES_SHOWN ? ` and ${devices.length - DEVICES_SHOWN} more` : ""}
        </p>
      )}
      {summary.problems.length > 0 && (
        <ul className="error small" role="alert" aria-label="Capture problems">
          {summary.problems.slice(0, 20).map((p) => (
            <li key={`${p.offset}-${p.message}`}>
              at byte {p.offset}: {p.message}
            </li>
          ))}
        </ul>
      )}
      {summary.connections.length > 0 && (
        <table className={s.figures} aria-label="Connections">
          <thead>
            <tr><th>client</th><th>version</th><th>transport</th><th>keepalive</th><th>user</th><th>flows ✓ / … / ✗</th><th>malformed</th></tr>
          </thead>
          <tbody>
            {summary.connections.map((c) => (
              <tr key={c.conn}>
                <td title={`${c.client.address}:${c.client.port} → ${c.server.address}:${c.server.port}`}>{c.hop}</td>
                <td>{c.version === undefined ? "?" : c.version === 5 ? "5" : c.version === 4 ? "3.1.1" : "3.1"}{c.versionInferred ? " (inferred)" : ""}</td>
                <td>{c.transport === "tls" ? "TLS: encrypted" : c.transport}</td>
                <td>{c.keepAlive ?? ""}</td>
                <td>{c.username ?? ""}{c.passwordLength !== undefined ? ` (password ${c.passwordLength} bytes)` : ""}</td>
                <td>{c.flows.byState.complete} / {c.flows.byState.in_flight} / {c.flows.byState.stuck}</td>
                <td>{c.malformed || ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {summary.malformedPackets.length > 0 && (
        <details>
          <summary className="small">{summary.malformedPackets.length} malformed or cut packets</summary>
          <ul className="small" aria-label="Malformed packets">
            {summary.malformedPackets.map((m, i) => (
              <li key={i}>
                {clockTime(m.ts)} {m.hop} {m.dir === "c2s" ? "→ broker" : "broker →"}: {m.reason} {m.rule}
              </li>
            ))}
          </ul>
        </details>
      )}
      {summary.anomalies.length > 0 && (
        <details>
          <summary className="small">{summary.anomalyCount} protocol anomalies</summary>
          <ul className="small">
            {summary.anomalies.map((a, i) => (
              <li key={i}>{a.hop}: {a.text}</li>
            ))}
          </ul>
        </details>
      )}
      <p className="small">
        <a href={`/api/captures/${encodeURIComponent(summary.id)}/file`}>Download the file</a> (for Wireshark) ·{" "}
        <a href={`/api/captures/${encodeURIComponent(summary.id)}/flows`}>Flows as CSV</a>
      </p>
    </section>
  );
}
