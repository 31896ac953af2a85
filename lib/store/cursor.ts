/** Page cursors for newest-first listings: the (ts, id) of the last row served, opaque to clients. */
import { InvalidCursorError } from "./types";

export interface CursorPosition {
  ts: number;
  id: number;
}

export function encodeCursor(pos: CursorPosition): string {
  return Buffer.from(`${pos.ts}:${pos.id}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): CursorPosition {
  const m = /^(\d{1,16}):(\d{1,16})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m) throw new InvalidCursorError();
  return { ts: Number(m[1]), id: Number(m[2]) };
}
