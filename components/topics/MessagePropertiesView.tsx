"use client";
import type { MessageProperties } from "@/lib/mqtt/message-properties";
import { hexDump, readableText } from "@/lib/payload/decoders";
import s from "./topics.module.css";

/** A message's MQTT 5 properties, all device text shown as text nodes (never HTML). */
export function MessagePropertiesView({ props, topic, mqtt5, stored }: { props: MessageProperties | undefined; topic: string; mqtt5: boolean; stored: boolean }) {
  if (!props) {
    const why = stored ? "the store keeps no MQTT 5 properties: messages seen live here show them." : mqtt5 ? "none on this message." : "this tab's connection is MQTT 3.1.1.";
    return <p className="muted small" data-testid="message-properties">Properties: {why}</p>;
  }
  return (
    <dl className={s.facts} aria-label="MQTT 5 properties" data-testid="message-properties">
      {props.userProperties && (
        <div>
          <dt>user properties</dt>
          <dd>
            <table className={s.props} aria-label="User properties">
              <tbody>
                {props.userProperties.map(([k, v], i) => (
                  <tr key={i}>
                    <th scope="row" className={s.mono}>{k}</th>
                    <td className={s.mono}>{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {props.userPropertiesLeftOut ? <span className="muted small">and {props.userPropertiesLeftOut} more, not kept</span> : null}
          </dd>
        </div>
      )}
      {props.contentType !== undefined && <Fact name="content type" value={props.contentType} mono />}
      {props.payloadFormatIndicator !== undefined && <Fact name="payload format" value={props.payloadFormatIndicator === 1 ? "1 (UTF-8 text)" : "0 (unspecified bytes)"} />}
      {props.responseTopic !== undefined && <Fact name="response topic" value={props.responseTopic} mono />}
      {props.correlationData && (
        <div>
          <dt>correlation data</dt>
          <dd>
            <CorrelationData bytes={props.correlationData} length={props.correlationDataLength ?? props.correlationData.byteLength} />
          </dd>
        </div>
      )}
      {props.messageExpiryInterval !== undefined && <Fact name="message expiry" value={`${props.messageExpiryInterval} s left when the broker sent it`} />}
      {props.subscriptionIdentifiers && <Fact name="subscription identifier" value={`${props.subscriptionIdentifiers.join(", ")} (the tab's subscriptions it matched)`} />}
      {props.topicAlias && (
        <Fact
          name="topic alias"
          value={props.topicAlias.resolved ? `${props.topicAlias.alias}: the PUBLISH carried no topic, the tab resolved the alias to ${topic}` : `${props.topicAlias.alias}, set for this topic`}
        />
      )}
    </dl>
  );
}

function Fact({ name, value, mono }: { name: string; value: string; mono?: boolean }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd className={mono ? s.mono : undefined}>{value}</dd>
    </div>
  );
}

/** Binary: as text when it reads as text, always as hex with its printable bytes. */
function CorrelationData({ bytes, length }: { bytes: Uint8Array; length: number }) {
  const text = readableText(bytes);
  return (
    <>
      {text !== null && <span className={s.mono}>&quot;{text}&quot; </span>}
      <pre className={s.payload}>
        {hexDump(bytes).lines.join("\n")}
        {length > bytes.byteLength && `\n… first ${bytes.byteLength} of ${length} bytes`}
      </pre>
    </>
  );
}
