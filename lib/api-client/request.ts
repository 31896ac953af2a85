/**
 * The browser's one way to call the API: fetch, then JSON, then the documented error shape
 * (lib/http/error-body.ts) turned into an `ApiError` the page shows as state. Every endpoint
 * function in this folder goes through here, so a page never reads a Response itself.
 */
import { apiErrorBody, type ErrorCode } from "../http/error-body";

/** A server that cannot be reached: the network, a proxy that is down, the server stopped. */
export const UNREACHABLE = "the server cannot be reached";

/**
 * The API's own codes, and two of the client's: `network` when no answer came, `not_api` when the
 * answer was not the API's JSON (a proxy's 502 page, a captive portal).
 */
export type ApiErrorCode = ErrorCode | "network" | "not_api";

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    /** The HTTP status; 0 when no answer came. */
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    /** The whole error body: some errors carry keys beside `error` (a refused command, the health parts). */
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

export interface RequestOptions {
  method?: Method;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  cache?: RequestCache;
  /** Error statuses whose body is still the answer: GET /api/health's 503 carries every part's state. */
  answeredBy?: readonly number[];
}

/**
 * The answer of a successful request, its body unread (a download streams it); an error answer
 * throws an ApiError. An aborted request rethrows the abort, which callers tell by their signal.
 */
export async function apiResponse(path: string, { method = "GET", body, headers, signal, cache, answeredBy = [] }: RequestOptions = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      signal,
      cache,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, "network", UNREACHABLE);
  }
  if (!res.ok && !answeredBy.includes(res.status)) throw await errorOf(res);
  return res;
}

/** A request whose answer is JSON of type `T` (the endpoint functions name `T` from the route's own types). */
export async function apiRequest<T>(path: string, options?: RequestOptions): Promise<T> {
  const res = await apiResponse(path, options);
  try {
    return (await res.json()) as T;
  } catch (err) {
    if (options?.signal?.aborted) throw err;
    throw new ApiError(res.status, "not_api", `the server's answer (HTTP ${res.status}) was not JSON`);
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  const json: unknown = await res.json().catch(() => null);
  const parsed = apiErrorBody.safeParse(json);
  if (parsed.success) return new ApiError(res.status, parsed.data.error.code, parsed.data.error.message, parsed.data);
  return new ApiError(res.status, "not_api", `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}, without the API's error message`);
}

/** The API itself refused (the documented error body came): not the network, not a page in front of it. */
export function isApiRefusal(err: unknown): err is ApiError {
  return err instanceof ApiError && err.code !== "network" && err.code !== "not_api";
}

/** What a failure says on the page. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
