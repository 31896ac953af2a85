"use client";
import { useEffect, useState } from "react";
import { isFinal, type Command } from "@/lib/commands/lifecycle";
import { getCommand } from "@/lib/api-client/commands";

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
        const body = await getCommand(id, abort.signal);
        setCommand(body);
        setError(null);
        if (isFinal(body.state)) return;
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
