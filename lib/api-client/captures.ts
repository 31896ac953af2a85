/** The capture endpoints: the kept captures, one's summary, and its packets a page at a time. */
import type { PacketPage } from "../captures/files";
import type { CaptureSummary, listedCapture } from "../captures/summary";
import { apiRequest } from "./request";
import { segment, withQuery, type Query } from "./query";

export type ListedCapture = ReturnType<typeof listedCapture>;

export const listCaptures = () => apiRequest<{ captures: ListedCapture[] }>("/api/captures");

export const getCapture = (id: string, signal?: AbortSignal) => apiRequest<CaptureSummary>(`/api/captures/${segment(id)}`, { signal });

export const listCapturePackets = (id: string, q: Query, signal?: AbortSignal) => apiRequest<PacketPage>(withQuery(`/api/captures/${segment(id)}/packets`, q), { signal });
