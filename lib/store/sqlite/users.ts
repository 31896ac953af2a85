import "server-only";
/**
 * Users and sessions in SQLite, on the store's reading connection: a login writes a row or two,
 * far too little to need the writer thread, and WAL with busy_timeout serialises it with the
 * bridge's batches.
 */
import type Database from "better-sqlite3";
import type { Role } from "../../auth/roles";
import { toUserRecord, usersMigration, type SessionUser, type UserPatch, type UserRecord, type UserRow, type UserStore } from "../users";

/** Appended to the SQLite MIGRATIONS list. */
export const SQLITE_USERS_MIGRATION = usersMigration({ int: "INTEGER", bool: "INTEGER", no: "0" });

export class SqliteUsers implements UserStore {
  constructor(private readonly db: Database.Database) {}

  async countUsers(): Promise<number> {
    return this.db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM users`).get()!.n;
  }

  async createUser(u: { username: string; role: Role; passwordHash: string }, now: number): Promise<boolean> {
    const { changes } = this.db
      .prepare(`INSERT INTO users (username, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING`)
      .run(u.username, u.role, u.passwordHash, now, now);
    return changes === 1;
  }

  async getUser(username: string): Promise<UserRecord | null> {
    const r = this.db.prepare<[string], UserRow>(`SELECT * FROM users WHERE username = ?`).get(username);
    return r ? toUserRecord(r) : null;
  }

  async listUsers(): Promise<UserRecord[]> {
    return this.db.prepare<[], UserRow>(`SELECT * FROM users ORDER BY username`).all().map(toUserRecord);
  }

  async updateUser(username: string, patch: UserPatch, now: number): Promise<UserRecord | null> {
    const r = this.db
      .prepare<{ username: string; role: string | null; disabled: number | null; hash: string | null; now: number }, UserRow>(
        `UPDATE users SET role = coalesce(@role, role), disabled = coalesce(@disabled, disabled),
           password_hash = coalesce(@hash, password_hash), updated_at = @now
         WHERE username = @username RETURNING *`,
      )
      .get({ username, role: patch.role ?? null, disabled: patch.disabled === undefined ? null : patch.disabled ? 1 : 0, hash: patch.passwordHash ?? null, now });
    return r ? toUserRecord(r) : null;
  }

  async createSession(s: { tokenHash: string; username: string; expiresAt: number }, now: number): Promise<void> {
    this.db.transaction(() => {
      // Expired sessions go whenever a new one comes: the table stays as small as the logged-in crowd.
      this.db.prepare(`DELETE FROM sessions WHERE expires_at <= ?`).run(now);
      this.db.prepare(`INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)`).run(s.tokenHash, s.username, now, s.expiresAt);
    })();
  }

  async sessionUser(tokenHash: string, now: number): Promise<SessionUser | null> {
    const r = this.db
      .prepare<[string, number], { username: string; role: string; expires_at: number }>(
        `SELECT u.username, u.role, s.expires_at FROM sessions s JOIN users u ON u.username = s.username
         WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0`,
      )
      .get(tokenHash, now);
    return r ? { username: r.username, role: r.role as Role, expiresAt: r.expires_at } : null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.db.prepare(`DELETE FROM sessions WHERE token_hash = ?`).run(tokenHash);
  }

  async deleteSessionsOf(username: string): Promise<void> {
    this.db.prepare(`DELETE FROM sessions WHERE username = ?`).run(username);
  }
}
