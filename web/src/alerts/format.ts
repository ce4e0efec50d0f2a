// Small words for the alerts view: an alert's last run, when to try creating one again, and when
// the list is worth reading again. Pure (the time is passed in), tested alone.
import type { Schemas } from "../api/client";

type Alert = Schemas["Alert"];
type LastRun = Schemas["LastRun"];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago" for `at` before `now` (a time
 * after it, a clock ahead of ours, is "just now"). */
export function ago(at: string, now: number): string {
  const ms = now - Date.parse(at);
  if (!(ms >= MINUTE)) return "just now";
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min ago`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)} h ago`;
  const days = Math.floor(ms / DAY);
  return days === 1 ? "yesterday" : `${days} days ago`;
}

const OUTCOME: Record<LastRun["outcome"], string> = {
  sent: "emailed you the cheapest listings",
  unchanged: "nothing changed, no email",
  no_listings: "no listings found, no email",
  budget_exhausted: "skipped: the day's marketplace budget is spent, next run as scheduled",
  failed: "the email could not be sent, next run as scheduled",
};

/** What an alert's last run did, in words: "Last run 5 min ago: nothing changed, no email (last
 * email 2 h ago)". An alert that never ran says so. */
export function lastRunInWords(alert: Pick<Alert, "last_run" | "last_sent_at" | "max_price">, now: number): string {
  const run = alert.last_run;
  if (!run) return alert.last_sent_at ? `Last email ${ago(alert.last_sent_at, now)}` : "Not run yet, no email yet";
  let words = OUTCOME[run.outcome] ?? `ended “${String(run.outcome)}”`;
  if (run.outcome === "no_listings" && alert.max_price !== undefined) words = "no listings at or under the maximum price, no email";
  const lastEmail = run.outcome !== "sent" && alert.last_sent_at ? ` (last email ${ago(alert.last_sent_at, now)})` : "";
  return `Last run ${ago(run.at, now)}: ${words}${lastEmail}`;
}

/** "after every run" / "only when the listings change", for an alert's summary line. */
export function notifyOnInWords(notifyOn: Alert["notify_on"]): string {
  return notifyOn === "changes" ? "emails only when the listings change" : "emails after every search";
}

/** "a moment", "12 min", "about 7 h 5 min" for a wait in seconds. */
export function waitInWords(seconds: number): string {
  if (seconds < 60) return "a moment";
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return `about ${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ""}`;
}

/** A 429 `quota_exceeded` on creating an alert, in words: what was used up and when to try again,
 * from `Retry-After` (else the message's "try again in N s"), as a wait and a clock time in
 * `timeZone` (the browser's when not given). */
export function quotaInWords(message: string, retryAfter: number | undefined, now: number, timeZone?: string): string {
  const said = /;?\s*try again in (\d+)\s*s\.?$/i.exec(message);
  const seconds = retryAfter ?? (said ? Number(said[1]) : undefined);
  const what = (said ? message.slice(0, said.index) : message).trim().replace(/\.$/, "");
  const first = what ? `${what.charAt(0).toUpperCase()}${what.slice(1)}` : "You have created as many alerts as allowed for now";
  const used = `${first} (deleted alerts count too).`;
  if (seconds === undefined) return `${used} Try again later.`;
  const clock = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone }).format(new Date(now + seconds * 1000));
  return `${used} You can create another in ${waitInWords(seconds)} (at ${clock}).`;
}

/** Milliseconds until the list is worth reading again: a little after the earliest active alert is
 * due (its run takes a moment), every 30 s while one is overdue (the schedule runs each minute),
 * less often the longer it is overdue, never more than every 20 s nor less than every 5 min.
 * Undefined when no alert is active (nothing changes by itself). */
export function refreshDelay(alerts: readonly Pick<Alert, "status" | "next_run_at">[], now: number): number | undefined {
  const due = alerts.filter((a) => a.status === "active").map((a) => Date.parse(a.next_run_at)).filter((t) => !Number.isNaN(t));
  if (due.length === 0) return undefined;
  const until = Math.min(...due) - now;
  const delay = until >= 0 ? until + 10_000 : Math.max(30_000, -until / 2);
  return Math.min(5 * MINUTE, Math.max(20_000, delay));
}
