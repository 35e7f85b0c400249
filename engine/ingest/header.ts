/** Header handling shared by the CSV readers. */

/** A header cell as compared: BOM and surrounding blanks removed, lower case. */
export function normalizeHeaderCell(cell: string): string {
  return cell
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();
}

/** Column positions by normalised name (first occurrence wins). */
export class HeaderIndex {
  readonly names: readonly string[];
  private readonly pos = new Map<string, number>();

  constructor(header: readonly string[]) {
    this.names = header.map((h) => h.replace(/^\uFEFF/, '').trim());
    header.forEach((h, i) => {
      const k = normalizeHeaderCell(h);
      if (!this.pos.has(k)) this.pos.set(k, i);
    });
  }

  /** Index of a column (case-insensitive), or -1. */
  indexOf(name: string): number {
    return this.pos.get(normalizeHeaderCell(name)) ?? -1;
  }

  hasAll(names: readonly string[]): boolean {
    return names.every((n) => this.indexOf(n) >= 0);
  }

  /** The header as written, for messages. */
  describe(): string {
    const s = this.names.join(',');
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  }
}
