"use client";
import { useRef, useState } from "react";
import { toLocalInput } from "@/lib/view/time-window";
import { apiResponse, errorText } from "@/lib/api-client/request";
import { aroundCursor, countLines, EXPORT_FORMATS, exportRequest, progressText, type ExportFormat } from "@/lib/timetravel/export-window";

/** The header the export route estimates its rows in, for the progress shown. */
const ESTIMATE_HEADER = "x-fleetscope-export-estimate";

type Run = { state: "idle" } | { state: "running"; rows: number; estimate: number | null } | { state: "done"; rows: number } | { state: "error"; error: string };

/** Downloads the stored window around the cursor (or the range and filter chosen) as JSONL or CSV, with progress. */
export function ExportWindow({ cursor }: { cursor: number }) {
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [topic, setTopic] = useState("#");
  const [format, setFormat] = useState<ExportFormat>("jsonl");
  const [run, setRun] = useState<Run>({ state: "idle" });
  const abort = useRef<AbortController | null>(null);

  const toggle = () => {
    if (!open) {
      const w = aroundCursor(cursor, Date.now());
      setFrom(toLocalInput(w.from));
      setTo(toLocalInput(w.to));
    }
    setOpen(!open);
  };
  const start = async () => {
    const req = exportRequest(from, to, topic, format);
    if (!req.ok) return setRun({ state: "error", error: req.error });
    const ctrl = new AbortController();
    abort.current = ctrl;
    try {
      // A stream, read as it comes: the one request here whose answer is not one JSON value.
      const res = await apiResponse(req.url, { signal: ctrl.signal });
      if (!res.body) throw new Error(`HTTP ${res.status}`);
      const estimate = Number(res.headers.get(ESTIMATE_HEADER));
      const est = Number.isFinite(estimate) && estimate > 0 ? estimate : null;
      // The file is put together from the chunks as they come: the browser keeps blob parts
      // out of the page's heap, and the rows counted say how far it has got.
      const parts: Uint8Array<ArrayBuffer>[] = [];
      let rows = 0;
      const reader = res.body.getReader();
      setRun({ state: "running", rows, estimate: est });
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value as Uint8Array<ArrayBuffer>);
        rows += countLines(value);
        setRun({ state: "running", rows, estimate: est });
      }
      const url = URL.createObjectURL(new Blob(parts, { type: format === "csv" ? "text/csv" : "application/x-ndjson" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = req.filename;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setRun({ state: "done", rows });
    } catch (err) {
      setRun(ctrl.signal.aborted ? { state: "idle" } : { state: "error", error: errorText(err) });
    } finally {
      abort.current = null;
    }
  };

  return (
    <div>
      <button type="button" aria-expanded={open} onClick={toggle}>
        Export…
      </button>
      {open && (
        <form
          className="small"
          aria-label="Export the window"
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
          style={{ display: "flex", gap: "0.4rem", alignItems: "center", flexWrap: "wrap", marginTop: "0.3rem" }}
        >
          <label>
            From <input type="datetime-local" step={1} value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label>
            To <input type="datetime-local" step={1} value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <label>
            Topics <input value={topic} onChange={(e) => setTopic(e.target.value)} size={14} />
          </label>
          <select aria-label="Format" value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
            {EXPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {f === "jsonl" ? "JSONL (raw messages)" : "CSV (series)"}
              </option>
            ))}
          </select>
          {run.state === "running" ? (
            <button type="button" onClick={() => abort.current?.abort()}>
              Cancel
            </button>
          ) : (
            <button type="submit">Download</button>
          )}
          <span role="status" data-testid="export-progress">
            {run.state === "running" && `Exporting: ${progressText(run.rows, run.estimate)}`}
            {run.state === "done" && `Exported ${progressText(run.rows, null)}.`}
          </span>
          {run.state === "error" && (
            <span className="error" role="alert">
              Export failed: {run.error}
            </span>
          )}
        </form>
      )}
    </div>
  );
}
