/**
 * Layout for a long device grid that renders only what is on screen: rows of cards (as many per
 * row as fit the width) and site headers, each of a fixed height, and the slice of them that
 * meets the viewport. Pure, so the arithmetic is tested without a browser.
 */

export type VirtualRow = { kind: "header"; site: string; top: number; height: number } | {
      kind: "cards";
      ids: string[];
      top: number;
      height: number;
      /** Which row of cards this is, counted from the first (site headers aside): a key that stays with the place on screen. */
      index: number;
    };

export interface GridMetrics {
  width: number;
  minCardWidth: number;
  gap: number;
  cardRowHeight: number;
  headerHeight: number;
}

export function columnsFor(m: Pick<GridMetrics, "width" | "minCardWidth" | "gap">): number {
  return Math.max(1, Math.floor((m.width + m.gap) / (m.minCardWidth + m.gap)));
}

export function layoutRows(groups: readonly { site: string; ids: readonly string[] }[], withHeaders: boolean, m: GridMetrics): { rows: VirtualRow[]; height: number } {
  const cols = columnsFor(m);
  const rows: VirtualRow[] = [];
  let top = 0;
  let index = 0;
  for (const g of groups) {
    if (withHeaders) {
      rows.push({ kind: "header", site: g.site, top, height: m.headerHeight });
      top += m.headerHeight;
    }
    for (let i = 0; i < g.ids.length; i += cols) {
      rows.push({ kind: "cards", ids: g.ids.slice(i, i + cols), top, height: m.cardRowHeight, index: index++ });
      top += m.cardRowHeight;
    }
  }
  return { rows, height: top };
}

/** The rows that meet [from, to] (pixels from the grid's top), plus `overscan` on each side. */
export function visibleRows(rows: readonly VirtualRow[], from: number, to: number, overscan: number): VirtualRow[] {
  return rows.filter((r) => r.top + r.height >= from - overscan && r.top <= to + overscan);
}
