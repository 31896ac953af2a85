/** Page cursors for time-ordered listings: the (ts, id) of the last row served, opaque to clients. */
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

/** Page cursors for listings in topic order: the last topic served, opaque to clients. */
export function encodeTopicCursor(topic: string): string {
  return Buffer.from(`t:${topic}`, "utf8").toString("base64url");
}

export function decodeTopicCursor(cursor: string): string {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!text.startsWith("t:") || text.length < 3) throw new InvalidCursorError();
  return text.slice(2);
}
