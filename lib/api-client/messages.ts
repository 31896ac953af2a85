/** The stored messages' endpoints, typed by the store's answers (lib/store/types.ts). */
import type { DeviceWithValues } from "../devices/model";
import type { MessagePage, TopicsAtPage } from "../store/types";
import { apiRequest } from "./request";
import { withQuery, type Query } from "./query";

/** GET /api/snapshot: the fleet as it was at `at`, a page of topics at a time. */
export interface SnapshotPage {
  at: number;
  devices: DeviceWithValues[];
  topics: TopicsAtPage;
}

export const listMessages = (q: Query, signal?: AbortSignal) => apiRequest<MessagePage>(withQuery("/api/messages", q), { signal });

export const getSnapshot = (q: Query, signal?: AbortSignal) => apiRequest<SnapshotPage>(withQuery("/api/snapshot", q), { signal });
