"use client";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { auditQuery, fromLocalInput, parseAuditFilter, toLocalInput, type AuditFilter } from "@/lib/commands/audit-filter";
import { COMMAND_STATES, type Command } from "@/lib/commands/lifecycle";
import { CommandLifecycle } from "./CommandLifecycle";
import { CommandTable } from "./CommandTable";
import { useCommand } from "./useCommand";
import styles from "./commands.module.css";

const PAGE = 100;
/** The first page is asked for again this often, so new commands appear without a reload. */
const REFRESH_MS = 5_000;

type Page = { state: "loading" } | { state: "error"; message: string } | { state: "ok"; commands: Command[]; next: string | null };

async function fetchPage(filter: AuditFilter, cursor: string | null, signal?: AbortSignal) {
  const q = auditQuery(filter);
  q.set("limit", String(PAGE));
  if (cursor) q.set("cursor", cursor);
  const res = await fetch(`/api/commands?${q}`, { signal });
  const body = (await res.json()) as { commands?: Command[]; next?: string | null; error?: { message: string } };
  if (!res.ok || !body.commands) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return { commands: body.commands, next: body.next ?? null };
}

/** Every command fleet-wide: who, when, what, arguments and outcome, filtered, exportable as CSV. */
export function AuditLog() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filter = parseAuditFilter(params);
  const query = auditQuery(filter).toString();
  const [page, setPage] = useState<Page>({ state: "loading" });
  const [extra, setExtra] = useState<{ commands: Command[]; next: string | null } | null>(null);
  const [selected, setSelected] = useState<Command | null>(null);
  const { command } = useCommand(selected);

  const setFilter = (change: Partial<AuditFilter>) => {
    const next = auditQuery({ ...filter, ...change }).toString();
    router.replace(next ? `${pathname}?${next}` : pathname, { scroll: false });
  };

  const load = useCallback(
    (signal?: AbortSignal) =>
      fetchPage(parseAuditFilter(new URLSearchParams(query)), null, signal).then(
        (p) => setPage({ state: "ok", ...p }),
        (err: unknown) => !signal?.aborted && setPage({ state: "error", message: err instanceof Error ? err.message : String(err) }),
      ),
    [query],
  );
  useEffect(() => {
    const abort = new AbortController();
    setPage({ state: "loading" });
    setExtra(null);
    void load(abort.signal);
    const timer = setInterval(() => void load(abort.signal), REFRESH_MS);
    return () => {
      abort.abort();
      clearInterval(timer);
    };
  }, [load]);

  const loadMore = async () => {
    const cursor = extra?.next ?? (page.state === "ok" ? page.next : null);
    if (!cursor) return;
    try {
      const more = await fetchPage(filter, cursor);
      setExtra((e) => ({ commands: [...(e?.commands ?? []), ...more.commands], next: more.next }));
    } catch (err) {
      setPage({ state: "error", message: err instanceof Error ? err.message : String(err) });
    }
  };

  const first = page.state === "ok" ? page.commands : [];
  const seen = new Set(first.map((c) => c.id));
  const rows = [...first, ...(extra?.commands ?? []).filter((c) => !seen.has(c.id))];
  const hasMore = extra ? extra.next !== null : page.state === "ok" && page.next !== null;
  const csv = new URLSearchParams(query);
  csv.set("format", "csv");

  return (
    <section aria-label="Command audit log">
      <div className="toolbar">
        <h1>Commands</h1>
        <span className="muted">every command sent from Fleetscope, who sent it and how it ended</span>
      </div>
      <form className={styles.filters} onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        {(["device", "name", "actor"] as const).map((k) => (
          <label key={k}>
            {k === "name" ? "command" : k}
            <input type="search" defaultValue={filter[k]} onKeyDown={(e) => e.key === "Enter" && setFilter({ [k]: e.currentTarget.value.trim() })} onBlur={(e) => e.currentTarget.value.trim() !== filter[k] && setFilter({ [k]: e.currentTarget.value.trim() })} />
          </label>
        ))}
        <label>
          state
          <select value={filter.state} onChange={(e) => setFilter({ state: e.target.value as AuditFilter["state"] })}>
            <option value="">any</option>
            {COMMAND_STATES.map((s) => (
              <option key={s} value={s}>
                {s.replace("_", " ")}
              </option>
            ))}
          </select>
        </label>
        <label>
          from
          <input type="datetime-local" value={toLocalInput(filter.from)} onChange={(e) => setFilter({ from: fromLocalInput(e.target.value) })} />
        </label>
        <label>
          to
          <input type="datetime-local" value={toLocalInput(filter.to)} onChange={(e) => setFilter({ to: fromLocalInput(e.target.value) })} />
        </label>
        <a href={`/api/commands?${csv}`} download>
          Export CSV
        </a>
      </form>
      {page.state === "loading" && <p className="muted">Loading…</p>}
      {page.state === "error" && (
        <p className="error" role="alert">
          Could not load the audit log: {page.message}
        </p>
      )}
      {page.state === "ok" && rows.length === 0 && (
        <p className="empty">{query ? "No command matches these filters." : "No command has been sent yet. Open a device and send one from its Commands panel."}</p>
      )}
      {command && <CommandLifecycle command={command} />}
      {rows.length > 0 && <CommandTable commands={rows} showDevice selected={command?.id ?? null} onSelect={setSelected} />}
      {hasMore && (
        <button type="button" className={styles.more} onClick={() => void loadMore()}>
          Load older
        </button>
      )}
    </section>
  );
}
