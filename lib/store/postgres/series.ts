import "server-only";
/**
 * The PostgreSQL store's series ids: one small integer per (device, field), so a sample row is
 * (series, ts, value) and its index key two numbers, not two strings: a telemetry message
 * carries many samples, and their index entries were most of what the server spent on a batch.
 * Ids never change once made, so each writer keeps those it has seen.
 */
import type pg from "pg";
import type { MessageRow } from "../types";

const RESOLVE_SQL = `WITH wanted AS (SELECT * FROM unnest($1::text[], $2::text[]) AS w (device, field)),
       made AS (INSERT INTO series (device, field) SELECT device, field FROM wanted ON CONFLICT DO NOTHING RETURNING id, device, field)
  SELECT id, device, field FROM made UNION ALL SELECT s.id, s.device, s.field FROM series s JOIN wanted USING (device, field)`;

export class PgSeries {
  /** device → field → id. */
  private readonly ids = new Map<string, Map<string, number>>();

  /**
   * Makes sure every series the rows name has an id here. Committed on its own, before the
   * batch: a series that outlives a failed batch is harmless, an id that vanished with one is not.
   */
  async resolve(pool: pg.Pool, rows: readonly MessageRow[]): Promise<void> {
    const devices: string[] = [];
    const fields: string[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      if (!r.device || !r.fields) continue;
      const known = this.ids.get(r.device);
      for (const field in r.fields) {
        if (known?.has(field)) continue;
        const key = `${r.device}\u0000${field}`;
        if (seen.has(key)) continue;
        seen.add(key);
        devices.push(r.device);
        fields.push(field);
      }
    }
    // The SELECT reads the snapshot from before the INSERT: new ids come from RETURNING, older
    // ones from the table. One made by another bridge at this very moment is in neither: asked
    // again, it is in the table.
    for (let attempt = 0; attempt < 2 && devices.length > 0; attempt++) {
      const { rows: found } = await pool.query<{ id: number; device: string; field: string }>(RESOLVE_SQL, [devices, fields]);
      for (const f of found) this.set(f.device, f.field, f.id);
      for (let i = devices.length - 1; i >= 0; i--) {
        if (this.ids.get(devices[i]!)?.has(fields[i]!)) {
          devices.splice(i, 1);
          fields.splice(i, 1);
        }
      }
    }
  }

  private set(device: string, field: string, id: number) {
    let fields = this.ids.get(device);
    if (!fields) this.ids.set(device, (fields = new Map()));
    fields.set(field, id);
  }

  /** The id of a series `resolve` has seen. */
  id(device: string, field: string): number {
    const id = this.ids.get(device)?.get(field);
    if (id === undefined) throw new Error(`series ${device}/${field} has no id yet`);
    return id;
  }
}
