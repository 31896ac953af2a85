"use client";
import { useRef, useState } from "react";
import type { CaptureSummary } from "@/lib/captures/summary";
import { useActor } from "../auth/ActorProvider";
import { useCaptureList } from "./useCapture";
import s from "./wire.module.css";

type Upload = { state: "idle" } | { state: "uploading"; name: string; sent: number; total: number } | { state: "error"; message: string };

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/**
 * Where `/wire` reads from: the server's live taps, or an imported capture. "Open capture…" (or
 * a file dropped on it) uploads a pcap or pcapng file with a progress bar, and opens it.
 */
export function CaptureSource({ source, onSource }: { source: string; onSource(id: string): void }) {
  const { can } = useActor();
  const { captures, error: listError, reload: load } = useCaptureList();
  const [upload, setUpload] = useState<Upload>({ state: "idle" });
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const send = (file: File) => {
    // XHR, not fetch: only it reports upload progress.
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/captures?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    setUpload({ state: "uploading", name: file.name, sent: 0, total: file.size });
    xhr.upload.onprogress = (e) => setUpload({ state: "uploading", name: file.name, sent: e.loaded, total: e.total || file.size });
    xhr.onerror = () => setUpload({ state: "error", message: `${file.name}: the upload failed (the server went away?)` });
    xhr.onload = () => {
      let body: Partial<CaptureSummary> & { error?: { message: string } } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        /* not JSON: said below */
      }
      if (xhr.status !== 201 || !body.id) {
        setUpload({ state: "error", message: `${file.name}: ${body.error?.message ?? `HTTP ${xhr.status}`}` });
        return;
      }
      setUpload({ state: "idle" });
      void load();
      onSource(body.id);
    };
    xhr.send(file);
  };

  return (
    <div
      className={`${s.controls} ${dragging ? s.dropping : ""}`}
      onDragOver={(e) => {
        if (!can.publish) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        const file = e.dataTransfer.files[0];
        if (file && can.publish) send(file);
      }}
    >
      <label>
        source
        <select value={source} onChange={(e) => onSource(e.target.value)} aria-label="Source">
          <option value="">live (this server&apos;s taps)</option>
          {captures?.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} · {mb(c.bytes)} · {c.mqttPackets} packets
            </option>
          ))}
          {source && !captures?.some((c) => c.id === source) && <option value={source}>{source}</option>}
        </select>
      </label>
      {can.publish ? (
        <>
          <button type="button" className={s.button} onClick={() => input.current?.click()} disabled={upload.state === "uploading"}>
            Open capture…
          </button>
          <input
            ref={input}
            type="file"
            accept=".pcap,.pcapng,.cap,application/vnd.tcpdump.pcap"
            hidden
            aria-label="Capture file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) send(file);
              e.target.value = "";
            }}
          />
          <span className="muted small">or drop a pcap / pcapng file here</span>
        </>
      ) : (
        <span className="muted small">Importing a capture needs the operator role.</span>
      )}
      {upload.state === "uploading" && (
        <span className="small" role="status">
          {upload.sent < upload.total ? "uploading" : "decoding"} {upload.name}{" "}
          <progress max={upload.total} value={upload.sent} aria-label="Upload progress" /> {mb(upload.sent)} of {mb(upload.total)}
        </span>
      )}
      {upload.state === "error" && (
        <span className="error small" role="alert">
          {upload.message}
        </span>
      )}
      {listError && <span className="error small">{listError}</span>}
    </div>
  );
}
