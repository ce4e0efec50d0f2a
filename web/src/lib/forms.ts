// Form rules the console checks before it calls the API (the API checks them again and has the
// last word), and the API's own refusals put back at the field they name. Pure, tested alone.
import { ApiError } from "../api/client";

export type Errors<F extends string> = Partial<Record<F | "form", string>>;

/** A refusal of the API at its field: `invalid_field` messages name it first, in backticks
 * ("`max_price` must be greater than 0"). Anything else is the form's. */
export function atField<F extends string>(error: unknown, fields: readonly F[], message: string): Errors<F> {
  if (error instanceof ApiError && error.code === "invalid_field") {
    const named = /^`([^`]+)`\s*(.*)$/.exec(error.message) ?? /missing field `([^`]+)`/.exec(error.message);
    const field = named?.[1] as F | undefined;
    if (field && fields.includes(field)) return { [field]: error.message } as Errors<F>;
  }
  return { form: message } as Errors<F>;
}

/** Whether a set of errors has any. */
export function hasErrors(errors: Record<string, string | undefined>): boolean {
  return Object.values(errors).some(Boolean);
}

// ------------------------------------------------------------------ alerts

export const FREQUENCIES = [2, 10, 30] as const;
export const CURRENCIES = ["USD", "CAD", "GBP", "EUR", "AUD", "CHF", "HKD", "PLN", "SGD"] as const;
export const NOTIFY_ON = ["every_run", "changes"] as const;
export type NotifyOn = (typeof NOTIFY_ON)[number];
export const ALERT_FIELDS = ["search_phrase", "frequency_minutes", "max_price", "target_price", "currency", "notify_on"] as const;
export type AlertField = (typeof ALERT_FIELDS)[number];

export type AlertForm = {
  search_phrase: string;
  frequency_minutes: string;
  max_price: string;
  target_price: string;
  currency: string;
  /** When to email: after every run that finds listings, or only when they changed. */
  notify_on: string;
};

const MAX_PRICE = 1_000_000;

/** A price as typed: empty (none), or a positive amount of at most 1,000,000 with two decimals. */
export function priceError(text: string): string | undefined {
  const value = text.trim();
  if (!value) return undefined;
  if (!/^\d+(\.\d{0,2})?$/.test(value) && !/^\.\d{1,2}$/.test(value)) return "Enter an amount such as 19.99 (at most two decimals).";
  const amount = Number(value);
  if (!(amount > 0)) return "Enter an amount greater than 0.";
  if (amount > MAX_PRICE) return "Enter at most 1,000,000.";
  return undefined;
}

export function alertErrors(form: AlertForm): Errors<AlertField> {
  const errors: Errors<AlertField> = {};
  const phrase = form.search_phrase.trim();
  if (!phrase) errors.search_phrase = "Enter what to search for.";
  else if ([...phrase].length > 100) errors.search_phrase = `Use at most 100 characters (this is ${[...phrase].length}).`;
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u001f\u007f-\u009f]/.test(phrase)) errors.search_phrase = "Remove the control characters.";
  if (!FREQUENCIES.map(String).includes(form.frequency_minutes)) errors.frequency_minutes = "Choose every 2, 10 or 30 minutes.";
  const max = priceError(form.max_price);
  if (max) errors.max_price = max;
  const target = priceError(form.target_price);
  if (target) errors.target_price = target;
  if (!(CURRENCIES as readonly string[]).includes(form.currency)) errors.currency = "Choose a currency from the list.";
  if (!(NOTIFY_ON as readonly string[]).includes(form.notify_on)) errors.notify_on = "Choose when to email you.";
  return errors;
}

/** The body of a new alert (prices as the decimal text typed, read exactly by the API). */
export function newAlertBody(form: AlertForm) {
  return {
    search_phrase: form.search_phrase.trim(),
    frequency_minutes: Number(form.frequency_minutes) as 2 | 10 | 30,
    ...(form.max_price.trim() ? { max_price: form.max_price.trim() } : {}),
    ...(form.target_price.trim() ? { target_price: form.target_price.trim() } : {}),
    currency: form.currency as (typeof CURRENCIES)[number],
    notify_on: form.notify_on as NotifyOn,
  };
}

/** A change of an alert: only what differs from `before`; a price emptied is cleared (null). */
export function alertChange(before: AlertForm, after: AlertForm) {
  const change: {
    search_phrase?: string;
    frequency_minutes?: 2 | 10 | 30;
    max_price?: string | null;
    target_price?: string | null;
    notify_on?: NotifyOn;
  } = {};
  if (after.search_phrase.trim() !== before.search_phrase.trim()) change.search_phrase = after.search_phrase.trim();
  if (after.frequency_minutes !== before.frequency_minutes) change.frequency_minutes = Number(after.frequency_minutes) as 2 | 10 | 30;
  if (after.notify_on !== before.notify_on) change.notify_on = after.notify_on as NotifyOn;
  for (const key of ["max_price", "target_price"] as const) {
    const now = after[key].trim();
    if (Number(now || "0") !== Number(before[key].trim() || "0")) change[key] = now ? now : null;
  }
  return change;
}

// ------------------------------------------------------------------ analytics

export const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

function utcDay(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const at = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(at).toISOString().slice(0, 10) === text ? at : undefined;
}

/** A date range as the analytics API takes it: both dates, start not after end, at most 366 days
 * apart (refused here in words, before any call). */
export function rangeErrors(start: string, end: string, currency: string): Errors<"start_date" | "end_date" | "currency"> {
  const errors: Errors<"start_date" | "end_date" | "currency"> = {};
  const from = utcDay(start);
  const to = utcDay(end);
  if (from === undefined) errors.start_date = "Enter the first day (YYYY-MM-DD).";
  if (to === undefined) errors.end_date = "Enter the last day (YYYY-MM-DD).";
  if (from !== undefined && to !== undefined) {
    const apart = Math.round((to - from) / DAY_MS);
    if (apart < 0) errors.end_date = "The last day must not be before the first.";
    else if (apart > MAX_RANGE_DAYS)
      errors.end_date = `The range is ${apart + 1} days long; choose days at most ${MAX_RANGE_DAYS} days apart.`;
  }
  if (!/^[A-Z]{3}$/.test(currency)) errors.currency = "Enter a currency code of three capital letters, such as USD.";
  return errors;
}

/** The last `days` UTC days up to `today`, as `[start, end]`. */
export function lastDays(days: number, today = new Date()): [string, string] {
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return [new Date(end - (days - 1) * DAY_MS).toISOString().slice(0, 10), new Date(end).toISOString().slice(0, 10)];
}

// ------------------------------------------------------------------ orders

export type OrderForm = { quantity: string; symbol: string };

export function orderErrors(form: OrderForm): Errors<"quantity" | "symbol"> {
  const errors: Errors<"quantity" | "symbol"> = {};
  const quantity = form.quantity.trim();
  if (!/^\d+$/.test(quantity) || Number(quantity) < 1 || Number(quantity) > 10) errors.quantity = "Enter a whole number from 1 to 10.";
  const symbol = form.symbol.trim();
  if (symbol && !/^[A-Za-z0-9]{3}$/.test(symbol)) errors.symbol = "Use 3 letters or digits, such as ABC, or leave it empty.";
  return errors;
}

export function orderBody(form: OrderForm) {
  const symbol = form.symbol.trim().toUpperCase();
  return { quantity: Number(form.quantity.trim()), ...(symbol ? { symbol } : {}) };
}

/** How long to wait before the n-th look at an order (n from 0): soon at first, then less often,
 * never more than `cap` ms apart. */
export function backoff(attempt: number, first = 500, factor = 1.6, cap = 5_000): number {
  return Math.min(cap, Math.round(first * factor ** Math.max(0, attempt)));
}
