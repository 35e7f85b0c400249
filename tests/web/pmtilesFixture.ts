/**
 * A tiny PMTiles v3 archive made in the tests (not a test file itself): one vector tile (MVT,
 * hand-encoded protobuf) with layers in the Protomaps basemap schema. Spec:
 * github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md; MVT: github.com/mapbox/vector-tile-spec (2.1).
 */
import { zxyToTileId } from 'pmtiles';

/** Protobuf writer: varints, length-delimited fields, packed uint32s. */
class Writer {
  private readonly bytes: number[] = [];
  varint(n: number): this {
    let v = n;
    while (v >= 0x80) {
      this.bytes.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.bytes.push(v);
    return this;
  }
  /** A varint field. */
  uint(field: number, n: number): this {
    return this.varint(field << 3).varint(n);
  }
  /** A length-delimited field (bytes, string or message). */
  bytesField(field: number, data: Uint8Array | string): this {
    const b = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.varint((field << 3) | 2).varint(b.length);
    for (const x of b) this.bytes.push(x);
    return this;
  }
  packed(field: number, values: readonly number[]): this {
    const inner = new Writer();
    for (const v of values) inner.varint(v);
    return this.bytesField(field, inner.finish());
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const zigzag = (n: number): number => (n << 1) ^ (n >> 31);
const EXTENT = 4096;

/** A feature in tile coordinates (0..4096, y down): a point, a line, or a polygon's outer ring (clockwise on screen, unclosed). */
export interface TileFeature {
  readonly type: 'point' | 'line' | 'polygon';
  readonly coordinates: readonly (readonly [number, number])[];
  readonly properties: Readonly<Record<string, string>>;
}

/** MVT geometry commands for one feature. */
function geometry(f: TileFeature): number[] {
  const out: number[] = [];
  let cx = 0;
  let cy = 0;
  const move = ([x, y]: readonly [number, number]): void => {
    out.push(zigzag(x - cx), zigzag(y - cy));
    cx = x;
    cy = y;
  };
  const [first, ...rest] = f.coordinates;
  out.push((1 & 7) | (1 << 3));
  move(first!);
  if (rest.length > 0) {
    out.push((2 & 7) | (rest.length << 3));
    rest.forEach(move);
  }
  if (f.type === 'polygon') out.push((7 & 7) | (1 << 3));
  return out;
}

/** One MVT tile with the named layers. */
export function vectorTile(layers: Readonly<Record<string, readonly TileFeature[]>>): Uint8Array {
  const tile = new Writer();
  for (const [name, features] of Object.entries(layers)) {
    const keys: string[] = [];
    const values: string[] = [];
    const layer = new Writer().uint(15, 2).bytesField(1, name);
    features.forEach((f, i) => {
      const tags: number[] = [];
      for (const [k, v] of Object.entries(f.properties)) {
        if (!keys.includes(k)) keys.push(k);
        if (!values.includes(v)) values.push(v);
        tags.push(keys.indexOf(k), values.indexOf(v));
      }
      const type = f.type === 'point' ? 1 : f.type === 'line' ? 2 : 3;
      const feature = new Writer()
        .uint(1, i + 1)
        .packed(2, tags)
        .uint(3, type)
        .packed(4, geometry(f));
      layer.bytesField(2, feature.finish());
    });
    for (const k of keys) layer.bytesField(3, k);
    for (const v of values) layer.bytesField(4, new Writer().bytesField(1, v).finish());
    layer.uint(5, EXTENT);
    tile.bytesField(3, layer.finish());
  }
  return tile.finish();
}

/** The tile (x, y) of zoom z holding a point, and the point's position in it (0..4096). */
export function tileOf(lng: number, lat: number, z: number): { x: number; y: number; px: number; py: number } {
  const n = 2 ** z;
  const fx = ((lng + 180) / 360) * n;
  const phi = (lat * Math.PI) / 180;
  const fy = ((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n;
  const x = Math.floor(fx);
  const y = Math.floor(fy);
  return { x, y, px: Math.round((fx - x) * EXTENT), py: Math.round((fy - y) * EXTENT) };
}

/**
 * A PMTiles v3 archive of one tile at zoom `z` (uncompressed directory, metadata and tile).
 * Layout: header (127 bytes), root directory, JSON metadata, tile data.
 */
export function pmtilesArchive(z: number, x: number, y: number, tile: Uint8Array, metadata: object): Uint8Array {
  const dir = new Writer()
    .varint(1)
    .varint(zxyToTileId(z, x, y))
    .varint(1)
    .varint(tile.length)
    .varint(0 + 1)
    .finish();
  const meta = new TextEncoder().encode(JSON.stringify(metadata));
  const HEADER = 127;
  const out = new Uint8Array(HEADER + dir.length + meta.length + tile.length);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode('PMTiles'), 0);
  view.setUint8(7, 3);
  const u64 = (at: number, n: number): void => view.setBigUint64(at, BigInt(n), true);
  u64(8, HEADER);
  u64(16, dir.length);
  u64(24, HEADER + dir.length);
  u64(32, meta.length);
  u64(40, 0);
  u64(48, 0);
  u64(56, HEADER + dir.length + meta.length);
  u64(64, tile.length);
  u64(72, 1);
  u64(80, 1);
  u64(88, 1);
  view.setUint8(96, 1); // clustered
  view.setUint8(97, 1); // internal compression: none
  view.setUint8(98, 1); // tile compression: none
  view.setUint8(99, 1); // tile type: MVT
  view.setUint8(100, z);
  view.setUint8(101, z);
  // The tile's bounds and centre, in degrees × 10⁷.
  const n = 2 ** z;
  const lon = (i: number): number => (i / n) * 360 - 180;
  const lat = (j: number): number => (Math.atan(Math.sinh(Math.PI * (1 - (2 * j) / n))) * 180) / Math.PI;
  const e7 = (deg: number): number => Math.round(deg * 1e7);
  view.setInt32(102, e7(lon(x)), true);
  view.setInt32(106, e7(lat(y + 1)), true);
  view.setInt32(110, e7(lon(x + 1)), true);
  view.setInt32(114, e7(lat(y)), true);
  view.setUint8(118, z);
  view.setInt32(119, e7(lon(x + 0.5)), true);
  view.setInt32(123, e7(lat(y + 0.5)), true);
  out.set(dir, HEADER);
  out.set(meta, HEADER + dir.length);
  out.set(tile, HEADER + dir.length + meta.length);
  return out;
}
