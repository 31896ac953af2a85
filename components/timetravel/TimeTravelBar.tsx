"use client";
import { useEffect, useRef, useState } from "react";
import { usePathname } from "next/navigation";
import { useStore } from "zustand";
import type { FleetStore } from "@/lib/state/fleet-store";
import { takesAt } from "@/lib/timetravel/at-param";
import { agoText, formatAt } from "@/lib/timetravel/describe";
import { SPEEDS } from "@/lib/state/past-view";
import { listMessages } from "@/lib/api-client/messages";
import { useFleet } from "../FleetProvider";
import { useSecondClock } from "../useSecondClock";
import { ExportWindow } from "./ExportWindow";
import { useTimeTravel, type TimeTravel } from "./PastProvider";
import { Scrubber } from "./Scrubber";
import s from "./timetravel.module.css";

/** The stored message just before `at`, for Shift+Left: one row, newest first. */
async function previousMessage(at: number): Promise<number | null> {
  const q = new URLSearchParams({ to: String(at - 1), limit: "1" });
  const page = await listMessages(q);
  return page.messages[0]?.ts ?? null;
}

/**
 * Under the header on the pages that can show the past: the timeline, and while `?at=` is set,
 * the banner saying which moment is shown, playback and export. The timeline keeps its place in
 * the tree whichever moment is shown, so it keeps the keyboard focus while keys move the cursor.
 */
export function TimeTravelBar() {
  const pathname = usePathname();
  const tt = useTimeTravel();
  // The store in context is the past one while `at` is set.
  const cursor = useFleet((st) => st.past?.cursor ?? null);
  const [stepError, setStepError] = useState<string | null>(null);
  if (!takesAt(pathname)) return null;
  const { go, player } = tt;
  const stepMessage = (dir: 1 | -1) => {
    setStepError(null);
    if (dir > 0) void player?.step();
    else
      void previousMessage(cursor ?? Date.now()).then(
        (t) => (t === null ? setStepError("No stored message before this moment.") : go(t, cursor === null ? "push" : "replace")),
        (err: unknown) => setStepError(`Could not find the message before: ${err instanceof Error ? err.message : String(err)}`),
      );
  };
  return (
    <div className={`${s.bar} ${tt.past ? s.past : ""}`} data-testid="time-bar">
      {tt.past ? (
        <PastHead tt={tt} past={tt.past} />
      ) : (
        tt.url.problem && (
          <span className="muted small" role="status" data-testid="at-problem">
            This link&apos;s {tt.url.problem}.
          </span>
        )
      )}
      <Scrubber cursor={cursor} onSet={(at) => go(at, cursor === null ? "push" : "replace")} onStepMessage={stepMessage} />
      {stepError && (
        <span className="error small" role="alert">
          {stepError}
        </span>
      )}
      {cursor !== null && <ExportWindow cursor={cursor} />}
    </div>
  );
}

function PastHead({ tt, past }: { tt: TimeTravel; past: FleetStore }) {
  const view = useStore(past, (st) => st.past)!;
  const now = useSecondClock();
  const { go, player } = tt;
  // Still again after playback or a step moved the cursor: the URL says where, so a reload or a
  // shared link opens this moment (the provider keeps this store when the URL catches up). Only
  // a move of the cursor does it: a new `at` in the URL is not undone by the old view.
  const synced = useRef(view.cursor);
  useEffect(() => {
    if (view.playing !== null || view.cursor === synced.current) return;
    synced.current = view.cursor;
    go(view.cursor);
  }, [view.playing, view.cursor, go]);

  return (
    <>
      <p className="small" role="status" data-testid="past-banner" style={{ margin: 0 }}>
        <strong>
          Showing the fleet as it was at <time dateTime={new Date(view.cursor).toISOString()}>{formatAt(view.cursor)}</time> ({agoText(view.cursor, now)})
        </strong>
        {view.state === "loading" && <span className="muted"> · loading the store&apos;s view of then…</span>}
        {view.playing !== null && <span className="muted"> · playing at {view.playing}×</span>}
        {view.topics && view.topics.loaded < view.topics.count && (
          <span className="muted">
            {" "}
            · {view.topics.loaded} of {view.topics.count} topics loaded
          </span>
        )}
      </p>
      <button type="button" onClick={() => go(null, "push")} data-testid="go-live">
        Live
      </button>
      {view.state === "error" && (
        <span className="error small" role="alert">
          Could not load the fleet as of then: {view.error}
        </span>
      )}
      {view.sparklines && (
        <span className="error small" role="alert" data-testid="sparklines-error">
          Some sparklines could not be read: {view.sparklines}
        </span>
      )}
      {view.stopped && (
        <span className="muted small" role="status" data-testid="playback-stopped">
          {view.stopped}
        </span>
      )}
      <div className={s.controls} role="group" aria-label="Playback">
        {SPEEDS.map((speed) => (
          <button key={speed} type="button" aria-pressed={view.playing === speed} disabled={view.state !== "loaded"} onClick={() => player?.play(speed)}>
            ▶ {speed}×
          </button>
        ))}
        <button type="button" disabled={view.playing === null} onClick={() => player?.pause()}>
          ❚❚ Pause
        </button>
        <button type="button" disabled={view.state !== "loaded"} onClick={() => void player?.step()} title="The next stored message (Shift+Right on the timeline)">
          Step
        </button>
      </div>
    </>
  );
}
