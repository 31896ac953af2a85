"use client";
import { useEffect, useState, type FormEvent } from "react";
import { decidePublish } from "@/lib/broker/access-rules";
import { EXPECTED_STEPS } from "@/lib/browser/publish";
import { checkPublishProperties, EMPTY_PUBLISH_PROPERTIES, type PropertyField } from "@/lib/browser/publish-properties";
import type { PublishOutcome, PublishProperties } from "@/lib/state/connection";
import { checkPublishForm, PAYLOAD_FORMATS, type PayloadFormat } from "@/lib/payload/encode";
import type { QoS } from "@/lib/mqtt/packet";
import { useActor } from "../auth/ActorProvider";
import { useFleet } from "../FleetProvider";
import { PublishPropertiesFields } from "./PublishPropertiesFields";
import s from "./topics.module.css";

const QOS_HELP: Record<QoS, string> = {
  0: "at most once: PUBLISH, nothing back",
  1: "at least once: PUBLISH → PUBACK",
  2: "exactly once: PUBLISH → PUBREC → PUBREL → PUBCOMP",
};

/** Publishes on the tab's connection and shows which handshake completed, and how fast. */
export function PublishForm({ initialTopic, onPublished }: { initialTopic: string; onPublished(topic: string, retain: boolean, empty: boolean): void }) {
  const mqtt = useFleet((st) => st.mqtt);
  const connected = useFleet((st) => st.connection.state === "connected");
  const mqtt5 = useFleet((st) => st.connection.protocol === 5);
  const [props, setProps] = useState(EMPTY_PUBLISH_PROPERTIES);
  const [propErrors, setPropErrors] = useState<Partial<Record<PropertyField, string>>>({});
  const [topic, setTopic] = useState(initialTopic);
  const [payload, setPayload] = useState("");
  const [format, setFormat] = useState<PayloadFormat>("text");
  const [qos, setQos] = useState<QoS>(1);
  const [retain, setRetain] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<"topic" | "payload", string>>>({});
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<(PublishOutcome & { topic: string; cleared: boolean }) | null>(null);
  const [confirmClear, setConfirmClear] = useState(false);

  useEffect(() => setTopic(initialTopic), [initialTopic]);

  const send = async (bytes: Uint8Array, opts: { qos: QoS; retain: boolean; properties?: PublishProperties }, cleared: boolean) => {
    if (!mqtt) return;
    setBusy(true);
    const outcome = await mqtt.publish(topic, bytes, opts);
    setBusy(false);
    setResult({ ...outcome, topic, cleared });
    if (outcome.complete) onPublished(topic, opts.retain, bytes.byteLength === 0);
  };

  // The broker's own rule for this user, checked first: a publish it refuses ends the tab's
  // connection (MQTT 3.1.1 has no refusal for a PUBLISH), and every live view with it.
  const actor = useActor();
  const refusal = (t: string) => {
    const d = decidePublish(actor.auth ? { kind: "browser", username: actor.username, role: actor.role } : { kind: "lab" }, t);
    return d.ok ? undefined : `The broker refuses this publish from you, and would close this tab's connection: ${d.reason}`;
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setResult(null); // an old "Published" under a new error would read as this attempt's
    const checked = checkPublishForm({ topic, payload, format });
    const refused = checked.errors.topic ? undefined : refusal(topic.trim());
    if (refused) {
      setErrors({ ...checked.errors, topic: refused });
      return;
    }
    setErrors(checked.errors);
    const withProps = mqtt5 && checked.bytes ? checkPublishProperties(props, checked.bytes) : null;
    setPropErrors(withProps?.errors ?? {});
    if (withProps && !withProps.properties) return;
    if (checked.bytes) void send(checked.bytes, { qos, retain, properties: withProps?.properties ?? undefined }, false);
  };

  const onClear = () => {
    setResult(null);
    const checked = checkPublishForm({ topic, payload: "", format: "text" });
    setErrors(checked.errors);
    if (checked.errors.topic) return;
    setConfirmClear(true);
  };

  return (
    <section className={s.detail} aria-label="Publish">
      <strong>Publish</strong>
      <form className={s.form} onSubmit={onSubmit} noValidate>
        <label className={s.wide}>
          topic
          <input className={s.mono} aria-label="Topic to publish" value={topic} onChange={(e) => setTopic(e.target.value)} aria-invalid={!!errors.topic} aria-describedby="publish-topic-error" placeholder="lab/bench-1/note" />
          {errors.topic && <span id="publish-topic-error" className={s.fieldError} role="alert">{errors.topic}</span>}
        </label>
        <label className={s.wide}>
          payload
          <textarea aria-label="Payload" value={payload} onChange={(e) => setPayload(e.target.value)} aria-invalid={!!errors.payload} aria-describedby="publish-payload-error" />
          {errors.payload && <span id="publish-payload-error" className={s.fieldError} role="alert">{errors.payload}</span>}
        </label>
        <label>
          format
          <select value={format} onChange={(e) => setFormat(e.target.value as PayloadFormat)}>
            {PAYLOAD_FORMATS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </label>
        <label>
          QoS
          <select value={qos} onChange={(e) => setQos(Number(e.target.value) as QoS)} aria-describedby="publish-qos-help">
            {([0, 1, 2] as const).map((q) => (
              <option key={q} value={q}>{q}</option>
            ))}
          </select>
          <span id="publish-qos-help" className="muted small">{QOS_HELP[qos]}</span>
        </label>
        <label className={s.inline} style={{ flexDirection: "row" }}>
          <input type="checkbox" checked={retain} onChange={(e) => setRetain(e.target.checked)} /> retain
        </label>
        <PublishPropertiesFields value={props} onChange={setProps} errors={propErrors} mqtt5={mqtt5} />
        <div className={s.inline}>
          <button type="submit" className={s.button} disabled={busy || !mqtt || !connected}>
            {busy ? "Publishing…" : "Publish"}
          </button>
          <button type="button" className={`${s.button} ${s.danger}`} onClick={onClear} disabled={busy || !mqtt || !connected}>
            Clear retained…
          </button>
        </div>
      </form>
      {!connected && <p className="muted small">Not connected to the broker: publishing waits for the connection.</p>}
      {confirmClear && (
        <div className={s.confirm} role="alertdialog" aria-label="Clear the retained message">
          <span>
            Clear the retained message on <code className={s.mono}>{topic}</code>? Clients that subscribe later will no longer receive it. This
            publishes an empty retained payload at QoS 1.
          </span>
          <div className={s.inline}>
            <button
              type="button"
              className={`${s.button} ${s.danger}`}
              autoFocus
              onClick={() => {
                setConfirmClear(false);
                void send(new Uint8Array(), { qos: 1, retain: true }, true);
              }}
            >
              Clear retained
            </button>
            <button type="button" className={s.button} onClick={() => setConfirmClear(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {result && <PublishResult result={result} />}
    </section>
  );
}

function PublishResult({ result }: { result: PublishOutcome & { topic: string; cleared: boolean } }) {
  const expected = EXPECTED_STEPS[result.qos];
  return (
    <div role="status" aria-label="Publish result">
      <p className={result.complete ? undefined : "error"}>
        {result.complete
          ? `${result.cleared ? "Retained message cleared" : "Published"} at QoS ${result.qos}: ${expected.at(-1) === "PUBLISH" ? "sent (no acknowledgement at QoS 0)" : `${expected.at(-1)} received`} after ${result.totalMs.toFixed(1)} ms.`
          : `Not confirmed: ${result.error}.`}
      </p>
      <ol className={s.steps} aria-label="Handshake">
        {expected.map((name, i) => {
          const step = result.steps[i];
          return (
            <li key={name} className={step ? undefined : "muted"}>
              {name} {step ? `+${step.atMs.toFixed(1)} ms${step.reason ? ` · ${step.reason}` : ""}` : "—"}
            </li>
          );
        })}
      </ol>
      <p className="muted small">Browser → broker hop only: QoS is per hop, so this says nothing about who received it.</p>
    </div>
  );
}
