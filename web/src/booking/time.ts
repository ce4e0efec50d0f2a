// Times for booking screens: slots grouped by day in the viewer's time zone, a day and clock
// time entered in a form turned into the UTC instant the API takes, and a hold's countdown.

export type Dated = { start_time: string };

/** The viewer's calendar day of an instant, as YYYY-MM-DD, in `timeZone`. */
export function dayOf(instant: string, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(
    new Date(instant),
  );
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** Items grouped by their start's day in `timeZone`, days in order, items in order. */
export function byDay<T extends Dated>(items: T[], timeZone?: string): [string, T[]][] {
  const days = new Map<string, T[]>();
  for (const item of [...items].sort((a, b) => a.start_time.localeCompare(b.start_time))) {
    const day = dayOf(item.start_time, timeZone);
    days.set(day, [...(days.get(day) ?? []), item]);
  }
  return [...days.entries()];
}

/** "Tue 8 Dec" for a YYYY-MM-DD day. */
export function dayLabel(day: string): string {
  const date = new Date(`${day}T12:00:00Z`);
  return new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" }).format(date);
}

/** "09:30" for an instant, in the viewer's zone (or `timeZone`). */
export function clock(instant: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZone }).format(new Date(instant));
}

/** The UTC instant (RFC 3339) of a local day and clock time as the viewer's browser reads them. */
export function localToUtc(day: string, time: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !/^\d{2}:\d{2}$/.test(time)) return undefined;
  const local = new Date(`${day}T${time}:00`);
  return Number.isNaN(local.getTime()) ? undefined : local.toISOString().replace(".000Z", "Z");
}

/** "12:05" minutes and seconds left until `until` (never negative). */
export function countdown(until: string, now: number): string {
  const left = Math.max(0, Math.floor((new Date(until).getTime() - now) / 1000));
  const minutes = Math.floor(left / 60);
  const seconds = left % 60;
  return `${minutes}:${String(seconds).padStart(2, "0")}`;
}
