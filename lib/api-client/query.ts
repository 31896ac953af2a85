/** A query string as the endpoint functions take it: built by the caller, sent as is. */
export type Query = URLSearchParams | Record<string, string>;

export const withQuery = (path: string, q: Query) => `${path}?${new URLSearchParams(q)}`;

/** One path segment: an id with a slash or a `#` in it stays one segment. */
export const segment = (id: string) => encodeURIComponent(id);
