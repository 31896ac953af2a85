/**
 * The users and sessions part of the store. Both implementations (sqlite/users.ts, postgres/users.ts)
 * pass test/users.contract.ts. Sessions are kept by the hash of their token only.
 */
import type { Role } from "../auth/roles";

export interface UserRecord {
  username: string;
  role: Role;
  disabled: boolean;
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
}

export interface UserPatch {
  role?: Role;
  disabled?: boolean;
  passwordHash?: string;
}

export interface SessionUser {
  username: string;
  role: Role;
  expiresAt: number;
}

export interface UserStore {
  countUsers(): Promise<number>;
  /** False when the username is taken (nothing changes then). */
  createUser(user: { username: string; role: Role; passwordHash: string }, now: number): Promise<boolean>;
  getUser(username: string): Promise<UserRecord | null>;
  /** By username. */
  listUsers(): Promise<UserRecord[]>;
  /** The user after the change, or null when there is no such user. */
  updateUser(username: string, patch: UserPatch, now: number): Promise<UserRecord | null>;
  createSession(session: { tokenHash: string; username: string; expiresAt: number }, now: number): Promise<void>;
  /** The session's user while the session is unexpired and the user exists and is enabled; else null. */
  sessionUser(tokenHash: string, now: number): Promise<SessionUser | null>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Ends every session of a user (disabled, password reset). */
  deleteSessionsOf(username: string): Promise<void>;
}

/**
 * The users and sessions tables, one text for both stores: only the column types differ (SQLite
 * keeps booleans as 0/1 integers).
 */
export function usersMigration(t: { int: string; bool: string; no: string }): string {
  return `CREATE TABLE users (
     username TEXT PRIMARY KEY, role TEXT NOT NULL, disabled ${t.bool} NOT NULL DEFAULT ${t.no},
     password_hash TEXT NOT NULL, created_at ${t.int} NOT NULL, updated_at ${t.int} NOT NULL
   );
   CREATE TABLE sessions (
     token_hash TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES users (username),
     created_at ${t.int} NOT NULL, expires_at ${t.int} NOT NULL
   );
   CREATE INDEX sessions_username ON sessions (username);
   CREATE INDEX sessions_expires ON sessions (expires_at);`;
}

/** A users row as either driver returns it: SQLite's 0/1 and numbers, PostgreSQL's booleans and BIGINT strings. */
export interface UserRow {
  username: string;
  role: string;
  disabled: number | boolean;
  password_hash: string;
  created_at: number | string;
  updated_at: number | string;
}

export const toUserRecord = (r: UserRow): UserRecord => ({
  username: r.username,
  role: r.role as Role,
  disabled: r.disabled === true || r.disabled === 1,
  passwordHash: r.password_hash,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});
