/**
 * Small d3 line charts (log-likelihood trace, decay curve, hit rate against area, hit rate
 * over time). Series differ in dash pattern and grey level as well as colour, and are labelled
 * at their ends, so a chart stays readable printed in grey. All text goes in through d3's
 * .text() (textContent).
 */
import * as d3 from 'd3';

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  /** Draw this series heavier (e.g. the model under test). */
  readonly emphasis?: boolean;
  /** Interval bars [x, lo, hi] (e.g. 95% bootstrap intervals). */
  readonly intervals?: readonly (readonly [number, number, number])[];
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

const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 2', '10 4', '4 2 1 2', '3 6'];
const COLOURS = ['#000000', '#1f4e99', '#8b2a2a', '#2f6b3a', '#6b4f1f', '#5a3d7a', '#4d4d4d', '#7a7a7a'];

/** Draw (replacing the container's content) a line chart of one or more series. */
export function lineChart(container: HTMLElement, series: readonly Series[], options: LineChartOptions): void {
  const width = options.width ?? 560;
  const height = options.height ?? 240;
  const hasLegend = series.length > 1;
  const margin = { top: 12, right: hasLegend ? 118 : 16, bottom: 38, left: 62 };
  container.replaceChildren();
  const svg = d3.select(container).append('svg').attr('viewBox', `0 0 ${width} ${height}`).attr('preserveAspectRatio', 'xMidYMid meet');
  const all = series
    .flatMap((s) => [...s.points, ...(s.intervals ?? []).flatMap(([ix, lo, hi]) => [[ix, lo] as const, [ix, hi] as const])])
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (all.length === 0) {
    svg
      .append('text')
      .attr('x', width / 2)
      .attr('y', height / 2)
      .attr('text-anchor', 'middle')
      .text('No data to draw');
    return;
  }
  const xExtent = d3.extent(all, (p) => p[0]) as [number, number];
  const yExtent = d3.extent(all, (p) => p[1]) as [number, number];
  if (options.yFromZero) yExtent[0] = Math.min(0, yExtent[0]);
  if (xExtent[0] === xExtent[1]) xExtent[1] = xExtent[0] + 1;
  if (yExtent[0] === yExtent[1]) {
    yExtent[0] -= Math.abs(yExtent[0]) * 0.01 + 1e-9;
    yExtent[1] += Math.abs(yExtent[1]) * 0.01 + 1e-9;
  }
  const x =
    options.xKind === 'log'
      ? d3
          .scaleLog()
          .domain(xExtent)
          .range([margin.left, width - margin.right])
      : options.xKind === 'time'
        ? d3
            .scaleUtc()
            .domain(xExtent)
            .range([margin.left, width - margin.right])
        : d3
            .scaleLinear()
            .domain(xExtent)
            .range([margin.left, width - margin.right]);
  const y = d3
    .scaleLinear()
    .domain(yExtent)
    .nice()
    .range([height - margin.bottom, margin.top]);

  const xAxis = d3.axisBottom(x as d3.AxisScale<number>).ticks(6);
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

  const line = d3
    .line<readonly [number, number]>()
    .defined(([px, py]) => Number.isFinite(px) && Number.isFinite(py))
    .x((p) => x(p[0]))
    .y((p) => y(p[1]));
  const labelYs: number[] = [];
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const dash = DASHES[i % DASHES.length]!;
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
        .data(s.points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py)))
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
    if (hasLegend) {
      const last = [...s.points].reverse().find(([px, py]) => Number.isFinite(px) && Number.isFinite(py));
      if (!last) return;
      let labelY = y(last[1]);
      // Keep end labels from overlapping: push down past any label already placed nearby.
      while (labelYs.some((used) => Math.abs(used - labelY) < 11)) labelY += 11;
      labelYs.push(labelY);
      svg
        .append('text')
        .attr('class', 'series-label')
        .attr('x', width - margin.right + 6)
        .attr('y', labelY + 3)
        .attr('font-size', 10)
        .attr('font-weight', s.emphasis ? 700 : 400)
        .attr('fill', colour)
        .text(s.name);
    }
  });
}
