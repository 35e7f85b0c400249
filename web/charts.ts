/**
 * Small d3 line charts (log-likelihood trace, decay curve, hit rate against area, hit rate
 * over time). Series differ in dash pattern and grey level as well as colour, and are labelled
 * at their ends, so a chart stays readable printed in grey. All text goes in through d3's
 * .text() (textContent).
 */
import * as d3 from 'd3';
import { placeLabels } from '../engine/index.ts';

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  /** Draw this series heavier (e.g. the model under test). */
  readonly emphasis?: boolean;
  /** Interval bars [x, lo, hi] (e.g. 95% bootstrap intervals). */
  readonly intervals?: readonly (readonly [number, number, number])[];
  /**
   * Leave this series out of the y scale (the oracle's ~100% would squash every other line to
   * the floor): it is not drawn, and its range of values is written as a note instead.
   */
  readonly offScale?: boolean;
}

export interface LineChartOptions {
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xKind?: 'linear' | 'log' | 'time';
  readonly yFormat?: (value: number) => string;
  readonly xFormat?: (value: number) => string;
  readonly width?: number;
  readonly height?: number;
  /** Show point markers. */
  readonly dots?: boolean;
  /** Fix the y domain's lower end at zero. */
  readonly yFromZero?: boolean;
}

/** Height of a series' end label (10 px text plus a pixel either side). */
export const LABEL_HEIGHT_PX = 12;

/**
 * The y domain of a chart: the extent of every finite point and interval end of the series that
 * are on the scale (not `offScale`); all the series when every one is off the scale. From zero
 * when asked. Null when there is nothing to draw.
 */
export function yDomain(series: readonly Series[], fromZero = false): [number, number] | null {
  const onScale = series.some((s) => !s.offScale) ? series.filter((s) => !s.offScale) : series;
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of onScale) {
    for (const [px, py] of s.points) if (Number.isFinite(px) && Number.isFinite(py)) [lo, hi] = [Math.min(lo, py), Math.max(hi, py)];
    for (const [ix, ilo, ihi] of s.intervals ?? []) {
      if (!Number.isFinite(ix)) continue;
      for (const v of [ilo, ihi]) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    }
  }
  if (lo > hi) return null;
  if (fromZero) lo = Math.min(0, lo);
  if (lo === hi) return [lo - (Math.abs(lo) * 0.01 + 1e-9), hi + (Math.abs(hi) * 0.01 + 1e-9)];
  return [lo, hi];
}

const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 2', '10 4', '4 2 1 2', '3 6'];
const COLOURS = ['#000000', '#1f4e99', '#8b2a2a', '#2f6b3a', '#6b4f1f', '#5a3d7a', '#4d4d4d', '#7a7a7a'];

/** Draw (replacing the container's content) a line chart of one or more series. */
export function lineChart(container: HTMLElement, given: readonly Series[], options: LineChartOptions): void {
  // Every series off the scale (only the oracle chosen): draw them all on it rather than nothing.
  const series = given.every((s) => s.offScale) ? given.map((s) => ({ ...s, offScale: false })) : given;
  const width = options.width ?? 560;
  const height = options.height ?? 240;
  const hasLegend = series.length > 1;
  const notes = offScaleNotes(series, options.yFormat ?? ((v: number) => String(v)));
  // The notes of off-scale series go above the plot, clear of its lines.
  const margin = { top: 12 + notes.length * LABEL_HEIGHT_PX, right: hasLegend ? 118 : 16, bottom: 38, left: 62 };
  container.replaceChildren();
  const svg = d3.select(container).append('svg').attr('viewBox', `0 0 ${width} ${height}`).attr('preserveAspectRatio', 'xMidYMid meet');
  const yExtent = yDomain(series, options.yFromZero);
  const xs = series
    .filter((s) => !s.offScale)
    .flatMap((s) => s.points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py)).map(([px]) => px));
  if (yExtent === null || xs.length === 0) {
    svg
      .append('text')
      .attr('x', width / 2)
      .attr('y', height / 2)
      .attr('text-anchor', 'middle')
      .text('No data to draw');
    return;
  }
  const xExtent = d3.extent(xs) as [number, number];
  if (xExtent[0] === xExtent[1]) xExtent[1] = xExtent[0] + 1;
  const xRange = [margin.left, width - margin.right];
  const x =
    options.xKind === 'log'
      ? d3.scaleLog().domain(xExtent).range(xRange)
      : options.xKind === 'time'
        ? d3.scaleUtc().domain(xExtent).range(xRange)
        : d3.scaleLinear().domain(xExtent).range(xRange);
  const y = d3
    .scaleLinear()
    .domain(yExtent)
    .nice()
    .range([height - margin.bottom, margin.top]);
  drawAxes(svg, x as d3.AxisScale<number>, y, options, { width, height, margin });

  const line = d3
    .line<readonly [number, number]>()
    .defined(([px, py]) => Number.isFinite(px) && Number.isFinite(py))
    .x((p) => x(p[0]))
    .y((p) => y(p[1]));
  const ends: { name: string; colour: string; emphasis: boolean; x: number; y: number }[] = [];
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const dash = DASHES[i % DASHES.length]!;
    const finite = s.points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py));
    if (s.offScale) return;
    svg
      .append('path')
      .attr('class', 'series')
      .attr('data-series', s.name)
      .attr('fill', 'none')
      .attr('stroke', colour)
      .attr('stroke-width', s.emphasis ? 3 : 1.6)
      .attr('stroke-dasharray', dash)
      .attr('d', line([...s.points]) ?? '');
    if (options.dots) {
      svg
        .append('g')
        .selectAll('circle')
        .data(finite)
        .join('circle')
        .attr('cx', (p) => x(p[0]))
        .attr('cy', (p) => y(p[1]))
        .attr('r', 2.5)
        .attr('fill', colour);
    }
    if (s.intervals && s.intervals.length > 0) {
      svg
        .append('g')
        .attr('class', 'intervals')
        .selectAll('line')
        .data(s.intervals.filter(([ix, lo, hi]) => [ix, lo, hi].every(Number.isFinite)))
        .join('line')
        .attr('x1', (d) => x(d[0]))
        .attr('x2', (d) => x(d[0]))
        .attr('y1', (d) => y(d[1]))
        .attr('y2', (d) => y(d[2]))
        .attr('stroke', colour)
        .attr('stroke-width', 1);
    }
    const last = finite[finite.length - 1];
    if (hasLegend && last) ends.push({ name: s.name, colour, emphasis: s.emphasis ?? false, x: x(last[0]), y: y(last[1]) });
  });
  drawEndLabels(svg, ends, width - margin.right + 6, margin.top, height - margin.bottom);
  notes.forEach((note, i) => {
    svg
      .append('text')
      .attr('class', 'off-scale-note')
      .attr('x', margin.left + 6)
      .attr('y', 12 + i * LABEL_HEIGHT_PX)
      .attr('font-size', 10)
      .text(note);
  });
}

/** "name: lo to hi (off this scale)" for each series left off the y scale that has values. */
function offScaleNotes(series: readonly Series[], fmtY: (v: number) => string): string[] {
  const notes: string[] = [];
  for (const s of series) {
    if (!s.offScale) continue;
    const [lo, hi] = d3.extent(s.points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py)).map((p) => p[1]));
    if (lo === undefined || hi === undefined) continue;
    notes.push(`${s.name}: ${fmtY(lo) === fmtY(hi) ? fmtY(lo) : `${fmtY(lo)} to ${fmtY(hi)}`} (off this scale)`);
  }
  return notes;
}

type Svg = d3.Selection<SVGSVGElement, unknown, null, undefined>;

function drawAxes(
  svg: Svg,
  x: d3.AxisScale<number>,
  y: d3.ScaleLinear<number, number>,
  options: LineChartOptions,
  box: { width: number; height: number; margin: { top: number; right: number; bottom: number; left: number } },
): void {
  const { width, height, margin } = box;
  const xAxis = d3.axisBottom(x).ticks(6);
  if (options.xFormat) xAxis.tickFormat((v) => options.xFormat!(Number(v)));
  const yAxis = d3.axisLeft(y).ticks(5);
  if (options.yFormat) yAxis.tickFormat((v) => options.yFormat!(Number(v)));
  svg
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${height - margin.bottom})`)
    .call(xAxis);
  svg.append('g').attr('class', 'axis').attr('transform', `translate(${margin.left},0)`).call(yAxis);
  svg
    .append('text')
    .attr('class', 'axis-label')
    .attr('x', (margin.left + width - margin.right) / 2)
    .attr('y', height - 4)
    .attr('text-anchor', 'middle')
    .text(options.xLabel);
  svg
    .append('text')
    .attr('class', 'axis-label')
    .attr('transform', `translate(12,${(margin.top + height - margin.bottom) / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text(options.yLabel);
}

/**
 * Each line's name at its right end, pushed apart (placeLabels) so no two overlap, with a thin
 * leader line from the line's end to a label that had to move.
 */
function drawEndLabels(
  svg: Svg,
  ends: readonly { name: string; colour: string; emphasis: boolean; x: number; y: number }[],
  labelX: number,
  topPx: number,
  bottomPx: number,
): void {
  const placed = placeLabels(
    ends.map((e) => e.y),
    LABEL_HEIGHT_PX,
    topPx,
    bottomPx,
  );
  ends.forEach((end, i) => {
    const labelY = placed[i]!;
    if (Math.abs(labelY - end.y) > 1) {
      svg
        .append('line')
        .attr('class', 'label-leader')
        .attr('x1', end.x + 3)
        .attr('y1', end.y)
        .attr('x2', labelX - 2)
        .attr('y2', labelY)
        .attr('stroke', end.colour)
        .attr('stroke-width', 0.6);
    }
    svg
      .append('text')
      .attr('class', 'series-label')
      .attr('x', labelX)
      .attr('y', labelY + 3.5)
      .attr('font-size', 10)
      .attr('font-weight', end.emphasis ? 700 : 400)
      .attr('fill', end.colour)
      .text(end.name);
  });
}
