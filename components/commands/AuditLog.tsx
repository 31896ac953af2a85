"use client";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { auditQuery, fromLocalInput, parseAuditFilter, toLocalInput, type AuditFilter } from "@/lib/commands/audit-filter";
import { COMMAND_STATES, type Command } from "@/lib/commands/lifecycle";
import { CommandLifecycle } from "./CommandLifecycle";
import { CommandTable } from "./CommandTable";
import { getCommand, listCommands } from "@/lib/api-client/commands";
import { useCommand } from "./useCommand";
import { useEvery } from "./useEvery";
import styles from "./commands.module.css";

const PAGE = 100;
/** The API's page limit: past this many rows shown, a refresh keeps the newest. */
const MAX_LIMIT = 1000;
/** The first page is asked for again this often, so new commands appear without a reload. */
const REFRESH_MS = 5_000;

type Page = { state: "loading" } | { state: "error"; message: string } | { state: "ok"; commands: Command[]; next: string | null };

async function fetchPage(filter: AuditFilter, cursor: string | null, limit: number, signal?: AbortSignal) {
  const q = auditQuery(filter);
  q.set("limit", String(limit));
  if (cursor) q.set("cursor", cursor);
  const body = await listCommands(q, signal);
  return { commands: body.commands, next: body.next };
}

/** Every command fleet-wide: who, when, what, arguments and outcome, filtered, exportable as CSV. */
export function AuditLog() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filter = parseAuditFilter(params);
  const query = auditQuery(filter).toString();
  const [page, setPage] = useState<Page>({ state: "loading" });
  // How many rows are on screen: a refresh asks for as many, so rows from "Load older" stay.
  const shown = useRef(PAGE);
  const [selected, setSelected] = useState<Command | null>(null);
  const { command } = useCommand(selected);
  const lifecycle = useRef<HTMLDivElement>(null);
  const selectedId = params.get("command");

  const setFilter = (change: Partial<AuditFilter>) => {
    const next = auditQuery({ ...filter, ...change }).toString();
    router.replace(next ? `${pathname}?${next}` : pathname, { scroll: false });
  };

  const load = useCallback(
    (signal?: AbortSignal) =>
      fetchPage(parseAuditFilter(new URLSearchParams(query)), null, Math.min(MAX_LIMIT, shown.current), signal).then(
        (p) => setPage({ state: "ok", ...p }),
        (err: unknown) => !signal?.aborted && setPage({ state: "error", message: err instanceof Error ? err.message : String(err) }),
      ),
    [query],
  );
  // New filters start from one page, shown as loading.
  useEffect(() => {
    shown.current = PAGE;
    setPage({ state: "loading" });
  }, [load]);
  useEvery(load, REFRESH_MS);

  // A link to /commands?command=<id> opens that command's lifecycle.
  useEffect(() => {
    if (!selectedId || selected?.id === selectedId) return;
    const abort = new AbortController();
    // A link to a command that is not there opens nothing; the list still shows.
    getCommand(selectedId, abort.signal).then(setSelected, () => undefined);
    return () => abort.abort();
  }, [selectedId, selected?.id]);
  useEffect(() => {
    if (selected) lifecycle.current?.scrollIntoView({ block: "nearest" });
  }, [selected]);

  const select = (c: Command) => {
    setSelected(c);
    const q = new URLSearchParams(params.toString());
    q.set("command", c.id);
    router.replace(`${pathname}?${q}`, { scroll: false });
  };

  const loadMore = async () => {
    if (page.state !== "ok" || !page.next) return;
    try {
      const more = await fetchPage(filter, page.next, PAGE);
      const seen = new Set(page.commands.map((c) => c.id));
      const commands = [...page.commands, ...more.commands.filter((c) => !seen.has(c.id))];
      shown.current = commands.length;
      setPage({ state: "ok", commands, next: more.next });
    } catch (err) {
      setPage({ state: "error", message: err instanceof Error ? err.message : String(err) });
    }
  };

  const rows = page.state === "ok" ? page.commands : [];
  const hasMore = page.state === "ok" && page.next !== null;
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
            <input type="search" list={`audit-${k}`} placeholder="exact, e.g. from the list" defaultValue={filter[k]} onKeyDown={(e) => e.key === "Enter" && setFilter({ [k]: e.currentTarget.value.trim() })} onBlur={(e) => e.currentTarget.value.trim() !== filter[k] && setFilter({ [k]: e.currentTarget.value.trim() })} />
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
        {/* Filters match exactly: offer what the rows on screen hold. */}
        {(["device", "name", "actor"] as const).map((k) => (
          <datalist key={k} id={`audit-${k}`}>
            {[...new Set(rows.map((c) => c[k]))].sort().map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
        ))}
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
      <div ref={lifecycle}>{command && <CommandLifecycle command={command} />}</div>
      {rows.length > 0 && <CommandTable commands={rows} showDevice selected={command?.id ?? null} onSelect={select} />}
      {hasMore && (
        <button type="button" className={styles.more} onClick={() => void loadMore()}>
          Load older
        </button>
      )}
    </section>
  );
}
