/**
 * The devices' endpoints as the browser calls them, typed by what each route answers with: the
 * store's own records (lib/store/types.ts), imported as types only so no server code reaches the
 * bundle. A route that changes what it answers fails tsc here and in every page that reads it;
 * the answers a route puts together itself are declared here and the route `satisfies` them.
 */
import type { CommandDefinition } from "../commands/definitions";
import type { DeviceWithValues } from "../devices/model";
import type { Delivery } from "../store/delivery";
import type { Series, StatusHistory } from "../store/types";
import { apiRequest } from "./request";
import { segment, withQuery, type Query } from "./query";

/** GET /api/devices/{id}: the device as stored, with the commands it takes and why any advertised one was not taken up. */
export type DeviceDetail = DeviceWithValues & { commands: CommandDefinition[]; commandProblems: string[] };

/** GET /api/series: the asked window's buckets. */
export type SeriesAnswer = { device: string; field: string; from: number; to: number } & Series;

/** GET /api/delivery: the stored `seq`'s loss and duplicates over the asked window. */
export type DeliveryAnswer = { device: string; from: number; to: number } & Delivery;

export const listDevices = (signal?: AbortSignal) => apiRequest<{ devices: DeviceWithValues[] }>("/api/devices", { signal });

export const getDevice = (id: string, signal?: AbortSignal) => apiRequest<DeviceDetail>(`/api/devices/${segment(id)}`, { signal });

export const getStatusHistory = (id: string, q: Query, signal?: AbortSignal) => apiRequest<StatusHistory>(withQuery(`/api/devices/${segment(id)}/status`, q), { signal });

export const getSeries = (q: Query, signal?: AbortSignal) => apiRequest<SeriesAnswer>(withQuery("/api/series", q), { signal });

export const getDelivery = (q: Query, signal?: AbortSignal) => apiRequest<DeliveryAnswer>(withQuery("/api/delivery", q), { signal });
