import "server-only";
/** Users and sessions in PostgreSQL: the same tables and meaning as lib/store/sqlite/users.ts. */
import type pg from "pg";
import type { Role } from "../../auth/roles";
import { toUserRecord, usersMigration, type SessionUser, type UserPatch, type UserRecord, type UserRow, type UserStore } from "../users";

/** Appended to the PostgreSQL MIGRATIONS list. */
export const PG_USERS_MIGRATION = usersMigration({ int: "BIGINT", bool: "BOOLEAN", no: "false" });

export class PgUsers implements UserStore {
  constructor(private readonly pool: pg.Pool) {}

  async countUsers(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM users`);
    return Number(rows[0]!.n);
  }

  async createUser(u: { username: string; role: Role; passwordHash: string }, now: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO users (username, role, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (username) DO NOTHING`,
      [u.username, u.role, u.passwordHash, now],
    );
    return rowCount === 1;
  }

  async getUser(username: string): Promise<UserRecord | null> {
    const { rows } = await this.pool.query<UserRow>(`SELECT * FROM users WHERE username = $1`, [username]);
    return rows[0] ? toUserRecord(rows[0]) : null;
  }

  async listUsers(): Promise<UserRecord[]> {
    // COLLATE "C": the same byte order as SQLite's, whatever the database's locale.
    const { rows } = await this.pool.query<UserRow>(`SELECT * FROM users ORDER BY username COLLATE "C"`);
    return rows.map(toUserRecord);
  }

  async updateUser(username: string, patch: UserPatch, now: number): Promise<UserRecord | null> {
    const { rows } = await this.pool.query<UserRow>(
      `UPDATE users SET role = coalesce($2, role), disabled = coalesce($3, disabled), password_hash = coalesce($4, password_hash), updated_at = $5
       WHERE username = $1 RETURNING *`,
      [username, patch.role ?? null, patch.disabled ?? null, patch.passwordHash ?? null, now],
    );
    return rows[0] ? toUserRecord(rows[0]) : null;
  }

  async createSession(s: { tokenHash: string; username: string; expiresAt: number }, now: number): Promise<void> {
    // Expired sessions go whenever a new one comes: the table stays as small as the logged-in crowd.
    await this.pool.query(`DELETE FROM sessions WHERE expires_at <= $1`, [now]);
    await this.pool.query(`INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)`, [s.tokenHash, s.username, now, s.expiresAt]);
  }

  async sessionUser(tokenHash: string, now: number): Promise<SessionUser | null> {
    const { rows } = await this.pool.query<{ username: string; role: string; expires_at: string }>(
      `SELECT u.username, u.role, s.expires_at FROM sessions s JOIN users u ON u.username = s.username
       WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`,
      [tokenHash, now],
    );
    const r = rows[0];
    return r ? { username: r.username, role: r.role as Role, expiresAt: Number(r.expires_at) } : null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.pool.query(`DELETE FROM sessions WHERE token_hash = $1`, [tokenHash]);
  }

  async deleteSessionsOf(username: string): Promise<void> {
    await this.pool.query(`DELETE FROM sessions WHERE username = $1`, [username]);
  }
}
