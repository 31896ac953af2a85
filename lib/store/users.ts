/**
 * The users and sessions part of the store. Both implementations (sqlite-users.ts, pg-users.ts)
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
