// The data behind the console's charts, prepared without the chart library (so it is tested
// alone): x as UTC midnights in seconds (uPlot's time scale), one array per line, day ticks that
// stay readable however long the range, and money and dates in words.

export type DayPrice = { date: string; min_price: number; median_price: number };
export type DayValue = { date: string; order_value: number; order_count: number };

/** Aligned data as uPlot takes it: the x values, then one array per series. */
export type Aligned = [number[], ...(number | null)[][]];

const DAY_S = 86_400;

/** `YYYY-MM-DD` as the seconds of that UTC midnight; NaN for anything else. */
export function daySeconds(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return Number.NaN;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / 1000;
}

/** Seconds of a UTC midnight back to `YYYY-MM-DD`. */
export function secondsDay(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** An alert's days as lowest and median price lines, oldest first, unknown dates left out. */
export function priceLines(days: DayPrice[]): Aligned {
  const known = days
    .map((d) => ({ at: daySeconds(d.date), min: d.min_price, median: d.median_price }))
    .filter((d) => Number.isFinite(d.at))
    .sort((a, b) => a.at - b.at);
  return [known.map((d) => d.at), known.map((d) => d.min), known.map((d) => d.median)];
}

/** Order value per day as one line, oldest first. */
export function valueLine(days: DayValue[]): Aligned {
  const known = days
    .map((d) => ({ at: daySeconds(d.date), value: d.order_value }))
    .filter((d) => Number.isFinite(d.at))
    .sort((a, b) => a.at - b.at);
  return [known.map((d) => d.at), known.map((d) => d.value)];
}

/** Where the date axis has a tick: UTC midnights from `min` to `max`, every day when few, else
 * every k-th day so that at most `most` ticks show (a phone gets fewer than a desktop). */
export function dayTicks(min: number, max: number, most: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return [];
  const first = Math.ceil(min / DAY_S) * DAY_S;
  const count = Math.floor((max - first) / DAY_S) + 1;
  const step = Math.max(1, Math.ceil(count / Math.max(1, most)));
  const ticks: number[] = [];
  for (let at = first; at <= max; at += step * DAY_S) ticks.push(at);
  return ticks;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Mar 4" for a UTC midnight; "Mar 4, 2024" when `withYear`. */
export function dayLabel(seconds: number, withYear = false): string {
  const d = new Date(seconds * 1000);
  const label = `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
  return withYear ? `${label}, ${d.getUTCFullYear()}` : label;
}

/** "$1,234.50" in the currency (the code itself if the browser does not know it). */
export function money(value: number | null | undefined, currency: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
}

/** A short amount for an axis: "$12", "$1.5K", "$2M". */
export function moneyTick(value: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en-US", {
      style: "currency",
      currency,
      notation: Math.abs(value) >= 10_000 ? "compact" : "standard",
      maximumFractionDigits: Math.abs(value) < 10 && value % 1 !== 0 ? 2 : 0,
    }).format(value);
  } catch {
    return `${value} ${currency}`;
  }
}

/** "−3.27 %" / "+1.5 %" for a percentage change; "no change yet" for null. */
export function change(pct: number | null | undefined): string {
  if (pct === null || pct === undefined) return "not enough days yet";
  if (pct === 0) return "no change";
  return `${pct > 0 ? "+" : "−"}${Math.abs(pct)} %`;
}
