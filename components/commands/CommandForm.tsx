"use client";
import { useRef, useState, type FormEvent } from "react";
import { parseArgInput, validateArgs, type ArgErrors, type ArgProperty } from "@/lib/devices/command-args";
import type { CommandDefinition } from "@/lib/commands/definitions";
import type { Command } from "@/lib/commands/lifecycle";
import { newKey, sendCommand } from "./send-command";
import { commandQosNote } from "@/lib/qos/granted";
import { useBrokerGrant } from "../useBrokerGrant";
import styles from "./commands.module.css";


function confirmText(d: CommandDefinition): string {
  const c = d.confirm;
  if (c.kind === "reply") return "confirmed by the device's reply";
  if (c.kind === "convention") return c.confirm === "echo" ? "confirmed when the device's state shows it" : "confirmed by the device's answer";
  if (c.stream === "status") return `confirmed when the device says ${c.equals} again`;
  return `confirmed when telemetry ${c.field} equals ${c.equalsArg}`;
}

function ArgInput({ name, p, value, error, onChange }: { name: string; p: ArgProperty; value: string; error?: string; onChange: (v: string) => void }) {
  const errorId = `arg-error-${name}`;
  const common = { id: `arg-${name}`, name, "aria-invalid": error ? true : undefined, "aria-describedby": error ? errorId : undefined };
  return (
    <div className={styles.field}>
      <label htmlFor={common.id}>
        {name}
        {p["x-unit"] ? ` (${p["x-unit"]})` : ""}
        {p.minimum !== undefined && p.maximum !== undefined ? <span className="muted"> {p.minimum}..{p.maximum}</span> : null}
      </label>
      {p.enum ? (
        <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">—</option>
          {p.enum.map((v) => (
            <option key={String(v)} value={String(v)}>
              {String(v)}
            </option>
          ))}
        </select>
      ) : p.type === "boolean" ? (
        <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">—</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : (
        // Text, not type=number: the browser empties a number field it cannot parse, and "abc"
        // would then read as "is required" instead of "must be a number".
        <input {...common} type="text" inputMode={p.type === "string" ? "text" : p.type === "integer" ? "numeric" : "decimal"} autoComplete="off" value={value} placeholder={p.description} onChange={(e) => onChange(e.target.value)} />
      )}
      {error && (
        <span id={errorId} className={styles.fieldError} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/**
 * A form generated from the command's definition. The arguments are checked here with the same
 * validator the server runs, so an invalid one is named on its field and nothing is sent.
 */
export function CommandForm({ device, definitions, onSent }: { device: string; definitions: CommandDefinition[]; onSent: (c: Command) => void }) {
  const [name, setName] = useState(definitions[0]?.name ?? "");
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<ArgErrors>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  // The broker may grant less than QoS 2 (RabbitMQ: 1): then the form must not promise exactly once.
  const grant = useBrokerGrant();
  // One key per request the user means: a retry after a network error reuses it, an edit does not.
  const key = useRef<string | null>(null);
  // Clicks faster than React re-renders the disabled button must not send twice.
  const inFlight = useRef(false);
  const form = useRef<HTMLFormElement>(null);
  const def = definitions.find((d) => d.name === name) ?? definitions[0];
  if (!def) return null;

  const edit = (change: () => void) => {
    key.current = null;
    setProblem(null);
    change();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const values: Record<string, unknown> = {};
    for (const [arg, p] of Object.entries(def.args.properties)) {
      const parsed = parseArgInput(p, texts[arg] ?? "");
      if (parsed !== undefined && parsed !== "") values[arg] = parsed;
    }
    const checked = validateArgs(def.args, values);
    if (!checked.ok) {
      setErrors(checked.errors);
      const first = Object.keys(checked.errors)[0];
      if (first) form.current?.querySelector<HTMLElement>(`#arg-${CSS.escape(first)}`)?.focus();
      return;
    }
    if (inFlight.current) return;
    inFlight.current = true;
    setErrors({});
    setSending(true);
    key.current ??= newKey();
    try {
      const sent = await sendCommand(device, def.name, checked.args, key.current);
      if (sent.ok) {
        key.current = null;
        onSent(sent.command);
      } else {
        if (sent.fields) setErrors(sent.fields);
        // A refused command is recorded (rejected) and shown with its reason in its lifecycle.
        if (sent.command) onSent(sent.command);
        else setProblem(sent.message);
      }
    } catch (err) {
      setProblem(`Not confirmed sent: the server did not answer (${err instanceof Error ? err.message : String(err)}). Sending again reuses the same idempotency key, so the device gets it at most once.`);
    } finally {
      inFlight.current = false;
      setSending(false);
    }
  };

  return (
    <form ref={form} className={styles.form} onSubmit={submit} noValidate aria-label="Send a command">
      <div className={styles.formRow}>
        <div className={styles.field}>
          <label htmlFor="command-name">command</label>
          <select id="command-name" value={def.name} onChange={(e) =>
              edit(() => {
                setName(e.target.value);
                setTexts({});
                setErrors({});
              })
            }
          >
            {definitions.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name}
              </option>
            ))}
          </select>
        </div>
        {Object.entries(def.args.properties).map(([arg, p]) => (
          <ArgInput key={`${def.name}-${arg}`} name={arg} p={p} value={texts[arg] ?? ""} error={errors[arg]} onChange={(v) =>
              edit(() => {
                setTexts((t) => ({ ...t, [arg]: v }));
                // The error stays until the field is edited, not until the next send.
                setErrors((errs) => Object.fromEntries(Object.entries(errs).filter(([k]) => k !== arg)));
              })
            }
          />
        ))}
      </div>
      <p className="muted small" style={{ margin: 0 }}>
        {def.description ? `${def.description}. ` : ""}
        {def.confirm.kind === "convention" ? `Sent to ${def.topic ?? "the device"} as its convention writes it` : commandQosNote(grant?.granted ?? null)}, {confirmText(def)}, times out after {def.timeoutMs / 1000} s
        {def.source === "advertised" ? " · advertised by the device" : ""}.
      </p>
      {errors[""] && <p className="error">{errors[""]}</p>}
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <button type="submit" className={styles.send} disabled={sending}>
        {sending ? "Sending…" : `Send ${def.name}`}
      </button>
    </form>
  );
}
