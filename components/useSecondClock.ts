"use client";
import { useSyncExternalStore } from "react";

/**
 * The time, ticking once a second, shared by every label that shows relative time. One timer
 * for all: a timer per label was a task and a render of its own for each of the dozens of cards
 * on the overview, every second. A clock, not data, so a module holds it (nothing per user or
 * request); the server renders with the time of its own render.
 */
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** The clock's time; with no label subscribed yet (a first render) it catches up first. */
function read(): number {
  if (!timer && Date.now() - now >= 1000) now = Date.now();
  return now;
}

export function useSecondClock(): number {
  return useSyncExternalStore(subscribe, read, read);
}
