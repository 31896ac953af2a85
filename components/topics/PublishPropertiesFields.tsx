"use client";
import type { PropertyField, PublishPropertiesForm } from "@/lib/browser/publish-properties";
import s from "./topics.module.css";

interface Props {
  value: PublishPropertiesForm;
  onChange(next: PublishPropertiesForm): void;
  errors: Partial<Record<PropertyField, string>>;
  /** The tab's connection level: properties exist on MQTT 5 only. */
  mqtt5: boolean;
}

/** The MQTT 5 properties of the publish tool, or why there are none on this connection. */
export function PublishPropertiesFields({ value, onChange, errors, mqtt5 }: Props) {
  if (!mqtt5) {
    return (
      <p className={`${s.wide} muted small`} data-testid="publish-properties-unavailable">
        MQTT 5 properties (user properties, content type, response topic…): not available, this tab&apos;s connection is MQTT 3.1.1.
      </p>
    );
  }
  const set = <K extends keyof PublishPropertiesForm>(key: K, v: PublishPropertiesForm[K]) => onChange({ ...value, [key]: v });
  const pairs = value.userProperties;
  const error = (field: PropertyField) =>
    errors[field] && (
      <span id={`publish-${field}-error`} className={s.fieldError} role="alert">
        {errors[field]}
      </span>
    );
  return (
    <details className={s.wide} aria-label="MQTT 5 properties" open={Object.keys(errors).length > 0 || undefined}>
      <summary>MQTT 5 properties</summary>
      <div className={s.form}>
        <label>
          content type
          <input className={s.mono} aria-label="Content type" value={value.contentType} onChange={(e) => set("contentType", e.target.value)} placeholder="application/json" />
        </label>
        <label>
          payload format
          <select aria-label="Payload format indicator" value={value.payloadFormat} onChange={(e) => set("payloadFormat", e.target.value as PublishPropertiesForm["payloadFormat"])} aria-invalid={!!errors.payloadFormat}>
            <option value="">not sent</option>
            <option value="0">0: unspecified bytes</option>
            <option value="1">1: UTF-8 text</option>
          </select>
          {error("payloadFormat")}
        </label>
        <label>
          response topic
          <input className={s.mono} aria-label="Response topic" value={value.responseTopic} onChange={(e) => set("responseTopic", e.target.value)} aria-invalid={!!errors.responseTopic} />
          {error("responseTopic")}
        </label>
        <label>
          message expiry (s)
          <input aria-label="Message expiry interval" inputMode="numeric" value={value.messageExpiry} onChange={(e) => set("messageExpiry", e.target.value)} aria-invalid={!!errors.messageExpiry} />
          {error("messageExpiry")}
        </label>
        <label>
          correlation data
          <input className={s.mono} aria-label="Correlation data" value={value.correlationData} onChange={(e) => set("correlationData", e.target.value)} aria-invalid={!!errors.correlationData} />
          {error("correlationData")}
        </label>
        <label>
          correlation data as
          <select aria-label="Correlation data format" value={value.correlationFormat} onChange={(e) => set("correlationFormat", e.target.value as PublishPropertiesForm["correlationFormat"])}>
            <option value="text">text</option>
            <option value="hex">hex</option>
            <option value="base64">base64</option>
          </select>
        </label>
        <fieldset className={s.wide} aria-label="User properties">
          <legend className="small muted">user properties</legend>
          {pairs.map((p, i) => (
            <div key={i} className={s.inline}>
              <input className={s.mono} aria-label={`User property ${i + 1} key`} value={p.key} onChange={(e) => set("userProperties", pairs.map((q, j) => (j === i ? { ...q, key: e.target.value } : q)))} placeholder="key" />
              <input className={s.mono} aria-label={`User property ${i + 1} value`} value={p.value} onChange={(e) => set("userProperties", pairs.map((q, j) => (j === i ? { ...q, value: e.target.value } : q)))} placeholder="value" />
              <button type="button" className={s.button} onClick={() => set("userProperties", pairs.filter((_, j) => j !== i))} aria-label={`Remove user property ${i + 1}`}>
                ×
              </button>
            </div>
          ))}
          <button type="button" className={s.button} onClick={() => set("userProperties", [...pairs, { key: "", value: "" }])}>
            Add user property
          </button>
        </fieldset>
      </div>
    </details>
  );
}
