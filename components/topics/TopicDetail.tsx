"use client";
import Link from "next/link";
import { useMemo, useState } from "react";
import { DECODER_IDS, DECODER_LABELS, decodePayload, payloadLines, type DecoderId } from "@/lib/payload/decoders";
import { chooseDecoder } from "@/lib/payload/content-type";
import { lineDiff } from "@/lib/payload/diff";
import { payloadPreview } from "@/lib/payload/preview";
import type { RecentMessage } from "@/lib/topics/recent";
import { rateAt, type TopicNode } from "@/lib/topics/tree";
import { useFleet } from "../FleetProvider";
import { MessagePropertiesView } from "./MessagePropertiesView";
import { PayloadView } from "./PayloadView";
import { TopicChart } from "./TopicChart";
import s from "./topics.module.css";
import { counted } from "@/lib/text/counted";
import { clockTime } from "@/lib/text/milliseconds";

interface Props {
  topic: string;
  node: TopicNode | undefined;
  now: number;
  messages: readonly RecentMessage[];
  stored: { state: "idle" | "loading" | "loaded" | "error"; error?: string; count?: number; next?: string | null; full?: boolean };
  onLoadStored(): void;
  /** Opens "Make these devices" for a topic no convention reads. */
  onMakeDevices(): void;
}


/** The selected topic: what it holds now, decoded; how it changed; its recent messages and chart. */
export function TopicDetail({ topic, node, now, messages, stored, onLoadStored, onMakeDevices }: Props) {
  const conventions = useFleet((st) => st.conventions);
  const mqtt5 = useFleet((st) => st.connection.protocol === 5);
  const [override, setOverride] = useState<DecoderId | "auto">("auto");
  const [diff, setDiff] = useState(false);
  const [picked, setPicked] = useState<number | null>(null);
  const shown = picked !== null && messages.some((m) => m.ts === picked) ? messages.find((m) => m.ts === picked)! : messages[0];
  const decoder = override === "auto" ? undefined : override;
  // Unless the user picks one, the message's own Content Type or Payload Format Indicator decides.
  const choice = useMemo(() => (shown && !decoder ? chooseDecoder(shown.payload.bytes, topic, shown.props) : null), [shown, topic, decoder]);
  const decoded = useMemo(() => (shown ? decodePayload(shown.payload.bytes, topic, decoder ?? choice?.decoder) : null), [shown, topic, decoder, choice]);
  const previous = shown ? messages[messages.indexOf(shown) + 1] : undefined;
  const diffLines = useMemo(() => {
    if (!diff || !decoded || !previous) return null;
    return lineDiff(payloadLines(decodePayload(previous.payload.bytes, topic, decoded.decoder).result), payloadLines(decoded.result));
  }, [diff, decoded, previous, topic]);
  // Asked again at each redraw: a rule saved meanwhile makes a device of it.
  const device = conventions.deviceOfTopic(topic);

  return (
    <section className={s.detail} aria-label="Selected topic">
      <h2>{topic === "" ? "(empty topic)" : topic}</h2>
      {node && (
        <dl className={s.facts}>
          <div><dt>messages</dt><dd>{node.messages}</dd></div>
          <div><dt>rate</dt><dd>{rateAt(node.rate, node.rateTs, now).toFixed(1)}/s</dd></div>
          {node.qos !== null && <div><dt>last QoS</dt><dd>{node.qos}</dd></div>}
          <div><dt>retained</dt><dd>{node.retained ? "yes" : "no"}</dd></div>
          {node.subtreeTopics > (node.messages > 0 ? 1 : 0) && <div><dt>below</dt><dd>{counted(node.subtreeTopics, "topic")}, {counted(node.subtreeMessages, "msg")}</dd></div>}
          {device ? (
            <div><dt>device</dt><dd><Link href={`/devices/${encodeURIComponent(device)}`}>{device} panels</Link></dd></div>
          ) : (
            node.messages > 0 && (
              <div>
                <dt>device</dt>
                <dd>
                  none reads this topic{" "}
                  <button type="button" className={s.button} onClick={onMakeDevices}>Make these devices</button>
                </dd>
              </div>
            )
          )}
        </dl>
      )}
      {!shown ? (
        <p className="muted">No message on this exact topic yet{node && node.subtreeTopics > 0 ? ": pick one of the topics below it" : ""}.</p>
      ) : (
        <>
          <div className={s.inline}>
            <label className="small">
              decode as{" "}
              <select value={override} onChange={(e) => setOverride(e.target.value as DecoderId | "auto")} aria-label="Decoder">
                <option value="auto">auto ({choice ? `${DECODER_LABELS[choice.decoder]}${choice.by === "payload" ? "" : `, from the ${choice.by}`}` : "…"})</option>
                {DECODER_IDS.map((id) => (
                  <option key={id} value={id}>{DECODER_LABELS[id]}</option>
                ))}
              </select>
            </label>
            <label className="small">
              <input type="checkbox" checked={diff} onChange={(e) => setDiff(e.target.checked)} disabled={!previous} /> diff with the previous value
            </label>
            <span className="muted small">
              {clockTime(shown.ts)} · QoS {shown.qos}
              {shown.retain ? " · retained" : ""} · {shown.payload.size} bytes
              {shown.payload.truncated ? ` (first ${shown.payload.bytes.byteLength} kept)` : ""}
            </span>
          </div>
          {diffLines ? (
            <pre className={s.payload} aria-label="Diff">
              {diffLines.map((l, i) => (
                <div key={i} className={l.op === "add" ? s.add : l.op === "del" ? s.del : undefined}>
                  {l.op === "add" ? "+ " : l.op === "del" ? "- " : "  "}
                  {l.text}
                </div>
              ))}
            </pre>
          ) : (
            decoded && <PayloadView result={decoded.result} />
          )}
          <MessagePropertiesView props={shown.props} topic={topic} mqtt5={mqtt5} stored={shown.source === "stored"} />
          <TopicChart topic={topic} messages={messages} decoder={decoder} />
        </>
      )}
      <div>
        <div className={s.inline}>
          <strong>Messages</strong>
          <span className="muted small">{messages.filter((m) => m.source === "live").length} seen here</span>
          <button type="button" className={s.button} onClick={onLoadStored} disabled={stored.state === "loading" || stored.full || (stored.state === "loaded" && !stored.next)}>
            {stored.state === "loading" ? "Loading…" : "Load older from the store"}
          </button>
          {stored.state === "loaded" && (
            <span className="muted small">
              {stored.full
                ? "the newest stored messages are listed; older ones stay in the store (GET /api/messages)"
                : stored.next
                  ? `${stored.count} stored messages added`
                  : stored.count
                    ? `${stored.count} stored messages added; nothing older is stored`
                    : "nothing older is stored"}
            </span>
          )}
          {stored.state === "error" && <span className="error small" role="alert">{stored.error}</span>}
        </div>
        <ul className={s.messages}>
          {messages.map((m) => (
            <li key={`${m.source}-${m.ts}-${m.payload.size}`}>
              <button type="button" aria-pressed={m === shown} onClick={() => setPicked(m.ts)}>
                <span>{clockTime(m.ts)}</span>
                <span>QoS {m.qos}</span>
                <span>{m.source === "stored" ? "stored" : m.retain ? "retained" : "live"}</span>
                <span>{payloadPreview(m.payload)}</span>
              </button>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
