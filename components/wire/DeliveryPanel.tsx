"use client";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { deliveryFigures } from "@/lib/qos/delivery-stats";
import { QOS_PROMISES, qosWarnings } from "@/lib/devices/qos-guidance";
import { seqCountsByQos } from "@/lib/qos/seq-gaps";
import { getDelivery, type DeliveryAnswer } from "@/lib/api-client/devices";
import { errorText } from "@/lib/api-client/request";
import { appendWindow, currentFlow, latestFlows, startTraceFeed, type TraceFeedState, type TracedPacket } from "@/lib/state/trace-feed";
import { formatMs } from "@/lib/text/milliseconds";
import { PacketDetail } from "./PacketDetail";
import { useCapture, useCaptureList } from "./useCapture";
import { useLiveSeq } from "./useLiveSeq";
import { useBrokerGrant } from "../useBrokerGrant";
import s from "./wire.module.css";

const LEVELS = ["0", "1", "2"] as const;
const RECENT_PUBLISHES = 20;
const ms = (v: number | null) => (v === null ? "—" : formatMs(v));
const HANDSHAKE_TYPES = "publish,puback,pubrec,pubrel,pubcomp";

/**
 * A device's Delivery panel: each QoS level's handshakes as traced live (or as a capture holds
 * them, `?capture=<id>`: the way to see them with a broker that is not ours to tap), and loss and
 * duplicates from the store and as this tab sees them.
 */
export function DeliveryPanel({ device }: { device: string }) {
  const router = useRouter();
  const search = useSearchParams();
  const capture = search.get("capture") ?? "";
  const captured = useCapture(capture, { device, type: HANDSHAKE_TYPES });
  const [live, setLive] = useState<TracedPacket[]>([]);
  const [state, setState] = useState<TraceFeedState>("connecting");
  const [stored, setStored] = useState<{ delivery: DeliveryAnswer | null; error: string | null }>({ delivery: null, error: null });
  const [selected, setSelected] = useState<number | null>(null);

  useEffect(() => {
    if (capture) return;
    const params = new URLSearchParams({ device, type: HANDSHAKE_TYPES, backlog: "1000" });
    return startTraceFeed(params, (batch) => setLive((w) => appendWindow(w, batch)), setState);
  }, [device, capture]);
  const packets = useMemo(() => (!capture ? live : captured.state === "ok" ? captured.packets : []), [capture, live, captured]);
  const pickSource = (id: string) => {
    setSelected(null);
    const next = new URLSearchParams(search.toString());
    if (id) next.set("capture", id);
    else next.delete("capture");
    router.replace(`?${next}`, { scroll: false });
  };

  useEffect(() => {
    const abort = new AbortController();
    getDelivery({ device }, abort.signal).then(
      (delivery) => setStored({ delivery, error: null }),
      (err: unknown) => !abort.signal.aborted && setStored({ delivery: null, error: errorText(err) }),
    );
    return () => abort.abort();
  }, [device]);

  const figures = useMemo(() => deliveryFigures(packets), [packets]);
  // Messages as their senders published them; each subscriber's QoS is its own choice.
  const sent = useMemo(() => packets.filter((p) => p.type === "publish" && p.from === "client"), [packets]);
  // Handshakes worth a look first: QoS 1 and 2 when the device sends any, else its QoS 0 stream.
  const publishes = useMemo(() => {
    const acked = sent.filter((p) => p.qos > 0);
    return (acked.length > 0 ? acked : sent).slice(-RECENT_PUBLISHES).reverse();
  }, [sent]);
  const latest = useMemo(() => latestFlows(packets), [packets]);
  const warnings = useMemo(() => qosWarnings(sent.map((p) => ({ topic: p.topic ?? "", qos: p.qos }))), [sent]);
  const { streams: liveStreams, state: liveState } = useLiveSeq(device);
  const grant = useBrokerGrant();
  // Each stream under the QoS its device published at (the trace's last PUBLISH on that topic).
  const liveSeq = useMemo(() => {
    const qosOf = new Map(sent.map((p) => [p.topic, p.qos]));
    return seqCountsByQos(liveStreams, (topic) => qosOf.get(topic));
  }, [liveStreams, sent]);
  const restarts = liveStreams.reduce((n, st) => n + st.restarts, 0);
  // The newest QoS 2 handshake by default: it is the one with the most to show.
  const fallback = publishes.find((p) => p.qos === 2) ?? publishes[0];
  const found = (selected !== null ? packets.find((p) => p.seq === selected) : undefined) ?? fallback;
  const picked = found && { ...found, flow: currentFlow(found, latest) };

  return (
    <section className={s.panel} aria-label="Delivery" data-testid="delivery">
      <h2>Delivery</h2>
      <DeliverySource capture={capture} onSource={pickSource} />
      <p className="muted small">
        {capture ? (
          <span role="status">
            Handshakes on each hop in the capture{" "}
            {captured.state === "ok"
              ? `${captured.summary.name} (${captured.packets.length} packets of this device's messages${captured.more ? ", the first page" : ""})`
              : captured.state === "error"
                ? "(unreadable)"
                : "(reading…)"}
            ;
          </span>
        ) : (
          <>
            Handshakes on each hop the server&apos;s taps see ({state === "live" ? "live" : state === "reconnecting" ? "reconnecting…" : "connecting…"}
            {(packets.at(-1)?.sampled ?? 1) > 1 ? `, sampled 1:${packets.at(-1)!.sampled}` : ""});
          </>
        )}{" "}
        loss and duplicates from the stored `seq` over 24 h, and live from the `seq` of the messages this tab has received since it opened
        {restarts > 0 ? ` (the device restarted its counter ${restarts === 1 ? "once" : `${restarts} times`}: counted from each restart afresh)` : ""}.{" "}
        <Link href={capture ? `/wire?${new URLSearchParams({ capture, device })}` : `/wire?device=${encodeURIComponent(device)}`}>All packets</Link>
      </p>
      {capture && captured.state === "error" && (
        <p className="error small" role="alert">
          Could not read the capture: {captured.message}
        </p>
      )}
      {capture && captured.state === "ok" && captured.packets.length === 0 && <p className="small muted">This capture holds no handshake of this device&apos;s messages.</p>}
      <table className={s.figures} aria-label="Delivery by QoS" data-live-seq={liveState}>
        <thead>
          <tr>
            <th>QoS</th>
            <th>delivered</th>
            <th>in flight</th>
            <th>retransmitted</th>
            <th>stuck</th>
            <th>handshake p50 / p95 / p99 ms</th>
            <th>stored</th>
            <th>lost</th>
            <th>duplicates</th>
            <th>live received</th>
            <th>live lost</th>
            <th>live duplicates</th>
          </tr>
        </thead>
        <tbody>
          {LEVELS.map((q) => {
            const f = figures[q];
            const d = stored.delivery?.byQos[q];
            return (
              <tr key={q} title={QOS_PROMISES[Number(q) as 0 | 1 | 2]} data-qos={q}>
                <td>{q}</td>
                <td>{f.delivered}</td>
                <td>{f.inFlight}</td>
                <td>{f.retransmitted}</td>
                <td className={f.stuck > 0 ? s["state-stuck"] : undefined}>{f.stuck}</td>
                <td>{q === "0" ? "no handshake" : `${ms(f.p50)} / ${ms(f.p95)} / ${ms(f.p99)}`}</td>
                <td>{d?.received ?? "…"}</td>
                <td>{d?.lost ?? "…"}</td>
                <td>{d?.duplicates ?? "…"}</td>
                <td data-testid="live-received">{liveSeq[q].received}</td>
                <td data-testid="live-lost">{liveSeq[q].lost}</td>
                <td data-testid="live-duplicates">{liveSeq[q].duplicates}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {stored.error && <p className="error small" role="alert">stored figures unavailable: {stored.error}</p>}
      <ul className="small muted" style={{ margin: 0, paddingLeft: "1.1rem" }}>
        {LEVELS.map((q) => (
          <li key={q}>QoS {q}: {QOS_PROMISES[Number(q) as 0 | 1 | 2]}</li>
        ))}
      </ul>
      {grant?.downgraded && <p className={`${s.warn} small`} role="note" data-testid="granted-qos">Broker to bridge: {grant.note}.</p>}
      {warnings.map((w) => (
        <p key={w} className={`${s.warn} small`} role="note">{w}</p>
      ))}
      {publishes.length > 0 && (
        <label className="small">
          message{" "}
          <select value={picked?.seq ?? ""} onChange={(e) => setSelected(Number(e.target.value))} aria-label="Traced message">
            {publishes.map((p) => (
              <option key={p.seq} value={p.seq}>
                {new Date(p.t).toLocaleTimeString(undefined, { hour12: false })} {p.topic} QoS {p.qos} ({currentFlow(p, latest)?.state.replace("_", " ")})
              </option>
            ))}
          </select>
        </label>
      )}
      {picked && <PacketDetail packet={picked} packets={packets} nested />}
    </section>
  );
}

/** Where the panel's handshakes come from: the live taps, or a kept capture. */
function DeliverySource({ capture, onSource }: { capture: string; onSource(id: string): void }) {
  const { captures, error } = useCaptureList();
  // Nothing to choose between until a capture is kept.
  if (!capture && (!captures || captures.length === 0)) return null;
  return (
    <label className="small" style={{ flexDirection: "row", alignItems: "center", gap: "0.4rem" }}>
      handshakes from
      <select value={capture} onChange={(e) => onSource(e.target.value)} aria-label="Handshakes from">
        <option value="">the live taps</option>
        {captures?.map((c) => (
          <option key={c.id} value={c.id}>
            capture {c.name} ({new Date(c.createdAt).toLocaleString(undefined, { hour12: false })})
          </option>
        ))}
        {capture && captures && !captures.some((c) => c.id === capture) && <option value={capture}>capture {capture}</option>}
      </select>
      {error && <span className="error">{error}</span>}
    </label>
  );
}
