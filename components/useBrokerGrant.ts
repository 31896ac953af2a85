"use client";
import { useEffect, useState } from "react";
import type { Grant } from "@/lib/qos/granted";

/**
 * What the broker granted this server's bridge (GET /api/health, `bridge.subscription`): the
 * most the broker delivers at, which the command form and the Delivery panel say when it is below
 * QoS 2. Null while unknown (no bridge here, or no session to see the details).
 */
export function useBrokerGrant(): Grant | null {
  const [grant, setGrant] = useState<Grant | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    // A 503 still carries the parts; only the subscription matters here.
    fetch("/api/health", { signal: abort.signal, cache: "no-store" })
      .then((res) => res.json() as Promise<{ bridge?: { subscription?: Grant | null } }>)
      .then((body) => setGrant(body.bridge?.subscription ?? null))
      .catch(() => undefined);
    return () => abort.abort();
  }, []);
  return grant;
}
