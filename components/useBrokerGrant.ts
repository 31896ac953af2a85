"use client";
import { useEffect, useState } from "react";
import type { Grant } from "@/lib/qos/granted";
import { getHealth } from "@/lib/api-client/health";

/**
 * What the broker granted this server's bridge (GET /api/health, `bridge.subscription`): the
 * most the broker delivers at, which the command form and the Delivery panel say when it is below
 * QoS 2. Null while unknown (no bridge here, or no session to see the details).
 */
export function useBrokerGrant(): Grant | null {
  const [grant, setGrant] = useState<Grant | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    // Only the subscription matters here; the bridge's part has it when a session sees the details.
    getHealth(abort.signal).then(
      (health) => setGrant((health.bridge.subscription as Grant | null | undefined) ?? null),
      () => undefined,
    );
    return () => abort.abort();
  }, []);
  return grant;
}
