"use client";
import s from "./topics.module.css";

/** Containers with more entries than this start closed. */
const OPEN_UP_TO = 30;
/** Entries drawn per container; a 64 KiB array of numbers would otherwise be thousands of nodes. */
const MAX_ENTRIES = 500;

/** JSON as a collapsible tree of text: keys and strings from devices are never markup. */
export function JsonView({ value }: { value: unknown }) {
  return (
    <div className={`${s.payload}`}>
      <JsonNode value={value} depth={0} />
    </div>
  );
}

function JsonNode({ value, depth, name }: { value: unknown; depth: number; name?: string }) {
  const label = name !== undefined ? <span className={s.key}>{JSON.stringify(name)}: </span> : null;
  if (value === null || typeof value !== "object") {
    const cls = typeof value === "string" ? s.string : typeof value === "number" ? s.number : s.literal;
    return (
      <div>
        {label}
        <span className={cls}>{JSON.stringify(value)}</span>
      </div>
    );
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) {
    return (
      <div>
        {label}
        {open}
        {close}
      </div>
    );
  }
  return (
    <details open={depth < 3 && entries.length <= OPEN_UP_TO}>
      <summary>
        {label}
        {open}
        <span className="muted"> {entries.length} {Array.isArray(value) ? "items" : "keys"} </span>
      </summary>
      <div className={s.json}>
        {entries.slice(0, MAX_ENTRIES).map(([k, v]) => (
          <JsonNode key={k} value={v} depth={depth + 1} name={Array.isArray(value) ? undefined : k} />
        ))}
        {entries.length > MAX_ENTRIES && <div className="muted">… {entries.length - MAX_ENTRIES} more not shown</div>}
      </div>
      <div>{close}</div>
    </details>
  );
}
