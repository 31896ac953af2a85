"use client";
import { useEffect, useState } from "react";
import { isFinal, type Command } from "@/lib/commands/lifecycle";

/** How often an open command is asked for: its steps are tens of milliseconds apart. */
const POLL_MS = 250;

/**
 * One command as the server has it, asked for again until it reaches a final state. Polling the
 * store works whichever server process sent it.
 */
export function useCommand(initial: Command | null): { command: Command | null; error: string | null } {
  const [command, setCommand] = useState<Command | null>(initial);
  const [error, setError] = useState<string | null>(null);
  const id = initial?.id ?? null;

  useEffect(() => {
    setCommand(initial);
    setError(null);
    if (!id || !initial || isFinal(initial.state)) return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const res = await fetch(`/api/commands/${encodeURIComponent(id)}`, { signal: abort.signal });
        const body = (await res.json()) as unknown;
        if (!res.ok) throw new Error((body as { error?: { message?: string } }).error?.message ?? `HTTP ${res.status}`);
        setCommand(body as Command);
        setError(null);
        if (isFinal((body as Command).state)) return;
      } catch (err) {
        if (abort.signal.aborted) return;
        setError(err instanceof Error ? err.message : String(err));
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    timer = setTimeout(() => void poll(), POLL_MS);
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
    // `initial` changes identity with each send; its id is what matters.
  }, [id]);

  return { command, error };
}
