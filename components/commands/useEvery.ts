"use client";
import { useEffect } from "react";

/**
 * Runs `load` now and every `ms` until the component goes (or `load` changes), with a signal that
 * aborts what is in flight then. `load` should be stable (useCallback).
 */
export function useEvery(load: (signal: AbortSignal) => unknown, ms: number): void {
  useEffect(() => {
    const abort = new AbortController();
    void load(abort.signal);
    const timer = setInterval(() => void load(abort.signal), ms);
    return () => {
      abort.abort();
      clearInterval(timer);
    };
  }, [load, ms]);
}
