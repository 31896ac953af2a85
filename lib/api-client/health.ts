/** GET /api/health: each part's state; a 503 (a part down) still carries them. */
import type { PartStatus } from "../process/parts";
import { apiRequest } from "./request";

/** The parts' details (URLs, the bridge's subscription…) come with a session only. */
export interface Health {
  status: "ok" | "down";
  broker: PartStatus;
  store: PartStatus;
  bridge: PartStatus;
  commands: PartStatus;
  capture: PartStatus;
  alerts: PartStatus;
}

export const getHealth = (signal?: AbortSignal) => apiRequest<Health>("/api/health", { signal, cache: "no-store", answeredBy: [503] });
