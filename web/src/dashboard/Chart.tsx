import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One line of a chart. */
export interface Series {
  label: string;
  color: string;
  values: Array<number | null>;
}

/** The dark colour scheme is on (charts draw on a canvas: CSS colours do not reach it, so they are redrawn). */
function useDarkScheme(): boolean {
  const query = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;
  const [dark, setDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const change = () => setDark(query.matches);
    query.addEventListener('change', change);
    return () => query.removeEventListener('change', change);
  }, []);
  return dark;
}

/** A time axis tick's label: `14:05` on the minute, `:30` between (`seconds` since the Unix epoch). */
export function timeTick(seconds: number): string {
  const at = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return at.getSeconds() === 0 ? `${two(at.getHours())}:${two(at.getMinutes())}` : `:${two(at.getSeconds())}`;
}

/**
 * A small time-series chart (uPlot): `times` in seconds since the Unix epoch. Axes, ticks and labels take the
 * page's text colour (a canvas does not inherit it: `currentColor` drew black on the dark theme).
 */
export function Chart({
  title,
  times,
  series,
  unit,
}: {
  title: string;
  times: number[];
  series: Series[];
  unit: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const dark = useDarkScheme();
  const shape = `${series.map((s) => s.label).join('|')}|${dark}`;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const text = getComputedStyle(el).color || (dark ? '#e7e9ee' : '#1d1f23');
    const grid = { stroke: dark ? 'rgba(255,255,255,0.12)' : 'rgba(0,0,0,0.08)' };
    const ticks = { stroke: grid.stroke };
    const options: uPlot.Options = {
      width: el.clientWidth || 400,
      height: 180,
      // Labels only: no "--" placeholders while the pointer is not over the chart.
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [
        // One line per tick (uPlot's default adds a date line under the first tick and under each new minute,
        // and over five minutes the two collide): the minute on the minute, the seconds between.
        { stroke: text, grid, ticks, values: (_u, splits) => splits.map(timeTick) },
        { stroke: text, grid, ticks, size: 60, label: unit, labelSize: 16 },
      ],
      series: [
        {},
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: false } })),
      ],
    };
    plot.current = new uPlot(options, [times, ...series.map((s) => s.values)], el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height: 180 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the set of lines changes; data updates go through setData below.
  }, [shape]);

  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)]);
  });

  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={host} />
    </figure>
  );
}
