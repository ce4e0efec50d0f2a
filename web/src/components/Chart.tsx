// A line chart of money by day (uPlot, loaded with the first chart drawn): dates on the x axis in
// UTC, amounts in the currency on the y axis, a legend that names each line and its value under
// the cursor, lines told apart by dash as well as colour, and the numbers as a table for those who
// do not see the picture.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type uPlotType from "uplot";
import { type Aligned, dayLabel, dayTicks, money, moneyTick, secondsDay } from "../lib/chart";
import { ErrorNotice, Loading } from "./Notice";

export type Line = { label: string; color: string; dash?: number[] };

type Props = {
  /** What the chart shows, in words: its accessible name. */
  title: string;
  data: Aligned;
  lines: Line[];
  currency: string;
  /** Start the amounts at zero (totals, where the height of a day is what it is). */
  zero?: boolean;
  children?: ComponentChildren;
};

const DAY_S = 86_400;
const FONT = '13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export function Chart({ title, data, lines, currency, zero = false }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [lib, setLib] = useState<typeof uPlotType | undefined>(undefined);
  const [failed, setFailed] = useState<string | undefined>(undefined);
  useEffect(() => {
    import("./uplot").then(
      (m) => setLib(() => m.default),
      () => setFailed("The chart could not load; the numbers are in the table below."),
    );
  }, []);
  useEffect(() => {
    const el = box.current;
    if (!lib || !el) return;
    const size = () => ({ width: Math.max(240, el.clientWidth), height: el.clientWidth < 500 ? 220 : 280 });
    const phone = () => el.clientWidth < 500;
    const options: uPlotType.Options = {
      ...size(),
      scales: {
        x: { time: true, range: (_u, min, max) => (min === max ? [min - DAY_S, max + DAY_S] : [min, max]) },
        y: {
          range: (_u, min, max) => {
            const pad = max === min ? Math.max(1, max * 0.1) : (max - min) * 0.1;
            return [zero ? 0 : Math.max(0, min - pad), max + pad];
          },
        },
      },
      axes: [
        {
          splits: (_u, _i, min, max) => dayTicks(min, max, phone() ? 4 : 8),
          values: (_u, splits) => splits.map((s) => dayLabel(s)),
          stroke: "#1b1f24",
          font: FONT,
          grid: { stroke: "#eaeef2" },
        },
        {
          values: (_u, splits) => splits.map((v) => moneyTick(v, currency)),
          size: 76,
          stroke: "#1b1f24",
          font: FONT,
          grid: { stroke: "#eaeef2" },
        },
      ],
      series: [
        { label: "Day", value: (_u, v) => (v === null ? "—" : dayLabel(v, true)) },
        ...lines.map((line) => ({
          label: line.label,
          stroke: line.color,
          width: 2,
          ...(line.dash ? { dash: line.dash } : {}),
          points: { show: true, size: 6 },
          value: (_u: uPlotType, v: number | null) => money(v, currency),
        })),
      ],
      cursor: { drag: { x: false, y: false } },
    };
    const plot = new lib(options, data as uPlotType.AlignedData, el);
    const observer = new ResizeObserver(() => plot.setSize(size()));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [lib, data, lines, currency, zero]);
  const [xs, ...ys] = data;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      {!lib && !failed && <Loading what="the chart" />}
      <ErrorNotice error={failed} />
      <div ref={box} role="img" aria-label={`${title}: ${xs.length} days; the numbers are in the table below`} class="chart-box" />
      <details>
        <summary>Show the numbers</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {lines.map((l) => (
                <th scope="col" key={l.label}>
                  {l.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {xs.map((x, i) => (
              <tr key={x}>
                <td>{secondsDay(x)}</td>
                {ys.map((y, j) => (
                  <td key={j}>{money(y[i], currency)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
