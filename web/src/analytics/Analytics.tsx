// Order-event analytics for analysts and admins: a date range (at most 366 days apart, refused in
// words before any call) and a currency, then the order value by day with its total, the top
// customers, sales by province and the range's events, each table downloadable as CSV.
import { useState } from "preact/hooks";
import { Field } from "../components/Field";
import { Gate } from "../components/Layout";
import { ErrorNotice } from "../components/Notice";
import { type Errors, hasErrors, lastDays, rangeErrors } from "../lib/forms";
import { Events } from "./Events";
import { OrderValue } from "./OrderValue";
import { Provinces } from "./Provinces";
import { TopCustomers } from "./TopCustomers";

export type Range = { start: string; end: string; currency: string };

export function Analytics() {
  return (
    <Gate need="analyst">
      <h1>Analytics</h1>
      <Dashboard />
    </Gate>
  );
}

function Dashboard() {
  const [initialStart, initialEnd] = lastDays(30);
  const [start, setStart] = useState(initialStart);
  const [end, setEnd] = useState(initialEnd);
  const [currency, setCurrency] = useState("USD");
  const [errors, setErrors] = useState<Errors<"start_date" | "end_date" | "currency">>({});
  const [range, setRange] = useState<Range>({ start: initialStart, end: initialEnd, currency: "USD" });
  const apply = (s = start, e = end, c = currency) => {
    const found = rangeErrors(s, e, c);
    setErrors(found);
    if (!hasErrors(found)) setRange({ start: s, end: e, currency: c });
  };
  return (
    <>
      <form
        class="panel range"
        aria-label="Date range"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <Field label="From" name="start_date" type="date" value={start} onValue={setStart} error={errors.start_date} required />
        <Field label="To" name="end_date" type="date" value={end} onValue={setEnd} error={errors.end_date} required />
        <Field
          label="Currency"
          name="currency"
          value={currency}
          onValue={(v) => setCurrency(v.trim().toUpperCase())}
          error={errors.currency}
          maxLength={3}
          autoComplete="off"
          class="short"
        />
        <div class="buttons">
          <button type="submit">Show</button>
          {[7, 30, 90, 365].map((n) => (
            <button
              key={n}
              type="button"
              class="secondary small"
              onClick={() => {
                const [s, e] = lastDays(n);
                setStart(s);
                setEnd(e);
                apply(s, e);
              }}
            >
              Last {n} days
            </button>
          ))}
        </div>
        <ErrorNotice error={errors.form} />
      </form>
      <p class="small" role="status">
        Showing {range.start} to {range.end} (UTC days, both included) in {range.currency}.
      </p>
      <OrderValue range={range} />
      <div class="columns">
        <TopCustomers range={range} />
        {/* A new range starts closed and at the first page. */}
        <Provinces key={`${range.start}/${range.end}/${range.currency}`} range={range} />
      </div>
      <Events key={`${range.start}/${range.end}`} range={range} />
    </>
  );
}
