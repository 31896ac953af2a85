"use client";
import { createContext, Suspense, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import type { Rule } from "@/lib/devices/conventions/rules";
import { createFleetStore, type FleetStore } from "@/lib/state/fleet-store";
import { parseAt, takesAt, withAt, type AtParam } from "@/lib/timetravel/at-param";
import { loadPast, type PastApi } from "@/lib/timetravel/past-session";
import { pastAt } from "@/lib/state/past-view";
import { createPlayer, type Player } from "@/lib/timetravel/player";
import { createReplayHandle, type ReplayHandle } from "@/lib/timetravel/replay-handle";
import { getSeries } from "@/lib/api-client/devices";
import { getSnapshot, listMessages } from "@/lib/api-client/messages";
import { FleetContext } from "../FleetProvider";

interface Session {
  store: FleetStore;
  handle: ReplayHandle;
  player: Player;
  dispose(): void;
}

export interface TimeTravel {
  /** The URL's cursor, and what was wrong with it if it could not be used. */
  url: AtParam;
  /** The store showing the past, while `at` is set. */
  past: FleetStore | null;
  player: Player | null;
  /** Moves the cursor (null: live), on this page if it shows the past, else on the overview. */
  go(at: number | null, how?: "push" | "replace"): void;
}

const TimeTravelContext = createContext<TimeTravel | null>(null);

export function useTimeTravel(): TimeTravel {
  const t = useContext(TimeTravelContext);
  if (!t) throw new Error("useTimeTravel outside PastProvider");
  return t;
}

/** The URL's `at`, read where Next wants search parameters read: inside a Suspense boundary. */
function AtFromUrl({ onAt }: { onAt: (at: AtParam) => void }) {
  const at = useSearchParams().get("at");
  useEffect(() => onAt(parseAt(at, Date.now())), [at, onAt]);
  return null;
}

/** A store for the moment `at`, filled from the server's store and never by the broker; read with the live store's rules. */
/** What a past view reads of the server. */
const PAST_API: PastApi = { getSnapshot, listMessages, getSeries };

function openSession(live: FleetStore, rules: readonly Rule[], at: number): Session {
  const l = live.getState();
  const store = createFleetStore(l.connection.url, rules, pastAt(at));
  const handle = createReplayHandle(() => live.getState().mqtt);
  const abort = new AbortController();
  // The header's broker badge and banner still tell of the live connection.
  store.setState({ connection: l.connection, retryNow: l.retryNow, mqtt: handle });
  const unmirror = live.subscribe((s) => store.setState({ connection: s.connection, retryNow: s.retryNow }));
  const player = createPlayer(store, handle, PAST_API);
  void loadPast(store, handle, at, PAST_API, abort.signal);
  return {
    store,
    handle,
    player,
    dispose() {
      abort.abort();
      unmirror();
      player.dispose();
      handle.dispose();
    },
  };
}

/**
 * Switches the views to the past while the URL has `?at=`: they read the store this provides in
 * place of the live one, which the broker goes on filling meanwhile, so "Live" is instant.
 */
export function PastProvider({ live, rules, children }: { live: FleetStore; /** The user rules in force, as JSON. */ rules: string; children: ReactNode }) {
  const [url, setUrl] = useState<AtParam>(() => parseAt(new URLSearchParams(window.location.search).get("at"), Date.now()));
  const [session, setSession] = useState<Session | null>(null);
  const current = useRef<Session | null>(null);
  const router = useRouter();
  const pathname = usePathname();
  const onAt = useCallback((next: AtParam) => setUrl((prev) => (prev.at === next.at && prev.problem === next.problem ? prev : next)), []);

  useEffect(() => {
    const had = current.current;
    if (url.at === null) {
      had?.dispose();
      current.current = null;
      setSession(null);
      return;
    }
    // The URL caught up with where playback or a step left the cursor: the view is already there.
    if (had && had.store.getState().past?.cursor === url.at) return;
    had?.dispose();
    const s = openSession(live, JSON.parse(rules) as Rule[], url.at);
    current.current = s;
    setSession(s);
  }, [url.at, live, rules]);
  useEffect(() => () => current.current?.dispose(), []);

  const go = useCallback(
    (at: number | null, how: "push" | "replace" = "replace") => {
      const here = takesAt(pathname);
      const target = `${here ? pathname : "/"}${withAt(here ? window.location.search : "", at)}`;
      if (!here) router.push(target);
      else if (how === "push") window.history.pushState(null, "", target);
      else window.history.replaceState(null, "", target);
    },
    [pathname, router],
  );

  const value: TimeTravel = { url, past: session?.store ?? null, player: session?.player ?? null, go };
  return (
    <TimeTravelContext.Provider value={value}>
      <Suspense fallback={null}>
        <AtFromUrl onAt={onAt} />
      </Suspense>
      <FleetContext.Provider value={session?.store ?? live}>{children}</FleetContext.Provider>
    </TimeTravelContext.Provider>
  );
}
