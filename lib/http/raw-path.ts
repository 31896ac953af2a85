/**
 * Paths Next cannot decode (`/api/devices/%ZZ`) make it throw inside its router and answer a bare
 * 500 before any route runs. The server refuses them first, in the documented error shape. Pure.
 */
export function undecodablePath(url: string | undefined): boolean {
  const path = (url ?? "/").split("?")[0]!;
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

export const UNDECODABLE_PATH_BODY = JSON.stringify({ error: { code: "bad_request", message: "the path is not valid percent-encoded UTF-8" } });
