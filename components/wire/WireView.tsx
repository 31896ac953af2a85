"use client";
import { useEffect, useMemo, useState } from "react";
import { useRouter } from "next/navigation";
import { appendWindow, currentFlow, latestFlows, startTraceFeed, type TraceFeedState, type TracedPacket } from "@/lib/state/trace-feed";
import { traceMatches } from "@/lib/http/trace-params";
import type { WirePacketType } from "@/lib/mqtt/packet";
import { useFleet } from "../FleetProvider";
import { keepAt } from "@/lib/timetravel/at-param";
import { CaptureSource } from "./CaptureSource";
import { CaptureSummaryView } from "./CaptureSummaryView";
import { clockTime } from "@/lib/text/milliseconds";
import { PacketDetail } from "./PacketDetail";
import { CAPTURE_PAGE, useCapture } from "./useCapture";
import s from "./wire.module.css";

/** Rows drawn; the window behind them holds more for the detail's message paths. */
const SHOWN = 300;

const TYPE_CHOICES = [
  { label: "handshakes", value: "publish,puback,pubrec,pubrel,pubcomp" },
  { label: "PUBLISH", value: "publish" },
  { label: "acknowledgements", value: "puback,pubrec,pubrel,pubcomp" },
  { label: "connections", value: "connect,connack,disconnect,pingreq,pingresp" },
  { label: "subscriptions", value: "subscribe,suback,unsubscribe,unsuback" },
  { label: "everything", value: "" },
];


/** `/wire`: recent packets across the fleet as the embedded broker's taps saw them. */
export function WireView({ initialDevice = "", initialCapture = "" }: { initialDevice?: string; initialCapture?: string }) {
  const router = useRouter();
  const [source, setSource] = useState(initialCapture);
  const [types, setTypes] = useState(TYPE_CHOICES[0]!.value);
  const [device, setDevice] = useState(initialDevice);
  const [qos, setQos] = useState("");
  const [hop, setHop] = useState("");
  const [paused, setPaused] = useState(false);
  const [received, setPackets] = useState<TracedPacket[]>([]);
  const [state, setState] = useState<TraceFeedState>("connecting");
  const [selected, setSelected] = useState<number | null>(null);
  const [own, setOwn] = useState(false);
  const mqtt = useFleet((st) => st.mqtt);
  // In the past (`?at=`): a capture's packets up to the cursor; the live trace is not stored, so
  // it stops rather than show the present under a banner saying the past.
  const pastCursor = useFleet((st) => st.past?.cursor ?? null);
  const inPast = pastCursor !== null;
  const packets = useMemo(() => (pastCursor === null ? received : received.filter((p) => p.t <= pastCursor)), [received, pastCursor]);

  // This tab's own client, traced from MQTT.js's packet events: the one hop visible even when the
  // broker is not ours to tap.
  useEffect(() => {
    if (!own || paused || !mqtt || inPast) return;
    return mqtt.trace((batch) => setPackets((w) => appendWindow(w, batch)));
  }, [own, paused, mqtt, inPast]);

  // A capture: its summary, and its packets as the trace shows them (filtered on the server, as live).
  const captured = useCapture(source, { type: types, qos, client: hop.trim(), device: device.trim() });
  useEffect(() => {
    if (source) setPackets(captured.state === "ok" ? captured.packets : []);
  }, [source, captured]);

  const pick = (id: string) => {
    setSource(id);
    setSelected(null);
    router.replace(`/wire${keepAt(id ? `?capture=${encodeURIComponent(id)}` : "", window.location.search)}`);
  };

  useEffect(() => {
    if (paused || source || inPast) return;
    const params = new URLSearchParams({ backlog: "500" });
    if (types) params.set("type", types);
    if (device.trim()) params.set("device", device.trim());
    if (qos) params.set("qos", qos);
    if (hop.trim()) params.set("hop", hop.trim());
    setPackets([]);
    return startTraceFeed(params, (batch) => setPackets((w) => appendWindow(w, batch)), setState);
  }, [types, device, qos, hop, paused, source, inPast]);

  const query = useMemo(
    () => ({ device: device.trim() || undefined, hop: hop.trim() || undefined, type: types ? (types.split(",") as WirePacketType[]) : undefined, qos: qos ? Number(qos) : undefined, backlog: 0 }),
    [device, hop, types, qos],
  );
  // Filtered here too: a paused view keeps its packets, and the filters still apply to them.
  const shown = useMemo(() => packets.filter((p) => traceMatches(query, p)).slice(-SHOWN).reverse(), [packets, query]);
  // A row shows its flow as it stands now, not as it stood when that packet passed.
  const latest = useMemo(() => latestFlows(packets), [packets]);
  const sampled = packets.at(-1)?.sampled ?? 1;
  const found = selected === null ? undefined : packets.find((p) => p.seq === selected);
  const picked = found && { ...found, flow: currentFlow(found, latest) };

  return (
    <div>
      <h1>Wire</h1>
      <p className="muted small">
        Every packet the server's taps saw: the embedded broker's with each client, or with an external broker the bridge's and this tab's own connections. QoS is per hop: a device → broker PUBLISH and the
        broker → subscriber deliveries are separate handshakes.
      </p>
      <CaptureSource source={source} onSource={pick} />
      {inPast && !source && (
        <p className="muted" role="status" data-testid="wire-past">
          The live trace is not stored: open a capture to see its packets up to the moment shown.
        </p>
      )}
      {source && captured.state === "ok" && <CaptureSummaryView summary={captured.summary} />}
      {source && captured.state === "error" && (
        <p className="error" role="alert">
          Could not open the capture: {captured.message}
        </p>
      )}
      <div className={s.controls}>
        <label>
          packets
          <select value={types} onChange={(e) => setTypes(e.target.value)} aria-label="Packet types">
            {TYPE_CHOICES.map((c) => (
              <option key={c.label} value={c.value}>{c.label}</option>
            ))}
          </select>
        </label>
        <label>
          device
          <input value={device} onChange={(e) => setDevice(e.target.value)} placeholder="arm-01" aria-label="Device" />
        </label>
        <label>
          client (hop)
          <input value={hop} onChange={(e) => setHop(e.target.value)} placeholder="client id" aria-label="Client id" />
        </label>
        <label>
          QoS
          <select value={qos} onChange={(e) => setQos(e.target.value)} aria-label="QoS">
            <option value="">any</option>
            <option value="0">0</option>
            <option value="1">1</option>
            <option value="2">2</option>
          </select>
        </label>
        <label style={{ flexDirection: "row", alignItems: "center", gap: "0.3rem" }}>
          <input type="checkbox" checked={own} onChange={(e) => setOwn(e.target.checked)} /> this tab&apos;s client too
          <span className="muted" title="The broker's taps already show this tab's connection under its client id; this adds the same packets as this tab's MQTT.js sees them, which is all there is with an external broker.">(?)</span>
        </label>
        <button type="button" className={s.button} onClick={() => setPaused((p) => !p)} aria-pressed={paused}>
          {paused ? "Resume" : "Pause"}
        </button>
        <span className="small muted" role="status">
          {source
            ? captured.state === "loading" || captured.state === "idle"
              ? "reading the capture…"
              : captured.state === "ok"
                ? `capture: ${packets.length} packets${captured.more ? ` (the first ${CAPTURE_PAGE} matching)` : ""}`
                : "capture unreadable"
            : paused
              ? "paused"
              : state === "live"
                ? "live"
                : state === "reconnecting"
                  ? "connection lost, retrying…"
                  : "connecting…"}
          {sampled > 1 && <strong className={s.warn}> · sampled 1:{sampled}</strong>}
        </span>
      </div>
      <div className={s.split}>
        <div className={s.scroll}>
          {shown.length === 0 ? (
            <p className="muted" style={{ padding: "1rem" }}>
              {packets.length > 0
                ? "No packet matches these filters."
                : source
                  ? "This capture holds no MQTT packets of these kinds."
                  : `No packets yet${device ? ` for ${device}` : ""}. They appear as clients talk to the embedded broker; with an external broker, open a capture (tcpdump on its host) to see every hop.`}
            </p>
          ) : (
            <table className={s.table} aria-label="Packets">
              <thead>
                <tr>
                  <th>time</th>
                  <th>client</th>
                  <th>dir</th>
                  <th>packet</th>
                  <th>QoS</th>
                  <th>id</th>
                  <th>topic</th>
                  <th>flow</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((p) => (
                  <tr
                    key={p.seq}
                    aria-selected={p.seq === selected}
                    tabIndex={0}
                    onClick={() => setSelected(p.seq)}
                    onKeyDown={(e) => {
                      if (e.key !== "Enter" && e.key !== " ") return;
                      e.preventDefault();
                      setSelected(p.seq);
                    }}
                    data-type={p.type}
                  >
                    <td>{clockTime(p.t)}</td>
                    <td>{p.hop}</td>
                    <td>{p.from === "client" ? "→ broker" : "broker →"}</td>
                    <td>
                      {p.type.toUpperCase()}
                      {p.dup ? " (DUP)" : ""}
                      {p.reason && p.reason.code !== 0 ? ` ${p.reason.name}` : ""}
                    </td>
                    <td>{p.flow ? p.qos : ""}</td>
                    <td>{p.id ?? ""}</td>
                    <td>{p.topic ?? ""}</td>
                    <FlowCell flow={currentFlow(p, latest)} />
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        {picked ? <PacketDetail packet={picked} packets={packets} /> : <div className={s.panel}><p className="muted">Select a packet to see its fixed header bit by bit and its message on every hop.</p></div>}
      </div>
    </div>
  );
}

function FlowCell({ flow }: { flow: TracedPacket["flow"] }) {
  return <td className={flow ? s[`state-${flow.state}`] : undefined}>{flow?.state.replace("_", " ") ?? ""}</td>;
}
