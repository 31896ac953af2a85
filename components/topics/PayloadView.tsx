"use client";
import type { Decoded } from "@/lib/payload/decoders";
import { MAX_HEX_BYTES } from "@/lib/payload/decoders";
import { JsonView } from "./JsonView";
import s from "./topics.module.css";

/** A decoded payload, always as text nodes (payloads are untrusted). */
export function PayloadView({ result }: { result: Decoded }) {
  switch (result.kind) {
    case "json":
      return <JsonView value={result.value} />;
    case "number":
      return <pre className={s.payload}>{String(result.value)}</pre>;
    case "text":
      return <pre className={s.payload}>{result.text === "" ? <span className="muted">(empty payload)</span> : result.text}</pre>;
    case "hex":
      return (
        <pre className={s.payload}>
          {result.lines.join("\n")}
          {result.cut && `\n… cut at ${MAX_HEX_BYTES} bytes`}
        </pre>
      );
    case "error":
      return <p className="error" role="alert">{result.message}</p>;
  }
}
