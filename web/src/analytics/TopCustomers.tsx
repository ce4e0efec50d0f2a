// The customers with the highest order value in the range, how many, and whether only those who
// accept marketing.
import { useState } from "preact/hooks";
import { type Schemas, api, ok } from "../api/client";
import { DownloadCsv } from "../components/Download";
import { ErrorNotice, Empty, Loading } from "../components/Notice";
import { Select } from "../components/Select";
import { useLoad } from "../components/useLoad";
import { money } from "../lib/chart";
import type { Range } from "./Analytics";

type Customer = Schemas["TopCustomers"]["customers"][number];
type Consent = "true" | "false" | "any";

const CONSENT = [
  { value: "true", label: "Accept marketing" },
  { value: "false", label: "Do not accept marketing" },
  { value: "any", label: "Everyone" },
] as const;

export function TopCustomers({ range }: { range: Range }) {
  const [count, setCount] = useState("5");
  const [consent, setConsent] = useState<Consent>("true");
  const top = useLoad(
    () =>
      ok(
        api.GET("/analytics/v1/customers/top", {
          params: { query: { start_date: range.start, end_date: range.end, currency: range.currency, count: Number(count), accepts_marketing: consent } },
        }),
      ),
    [range, count, consent],
  );
  const name = (c: Customer) => [c.first_name, c.last_name].filter(Boolean).join(" ") || c.customer_id;
  return (
    <section class="panel" aria-labelledby="top-heading">
      <div class="panel-head">
        <h2 id="top-heading">Top customers</h2>
        {top.data && (
          <DownloadCsv<Customer>
            what="Top customers"
            start={range.start}
            end={range.end}
            rows={top.data.customers}
            columns={[
              { header: "customer_id", value: (c) => c.customer_id },
              { header: "first_name", value: (c) => c.first_name },
              { header: "last_name", value: (c) => c.last_name },
              { header: "email", value: (c) => c.email },
              { header: "order_count", value: (c) => c.order_count },
              { header: `order_value_${range.currency}`, value: (c) => c.order_value },
            ]}
          />
        )}
      </div>
      <div class="pair">
        <Select label="How many" name="top-count" value={count} onValue={setCount} options={["5", "10", "25", "50", "100"].map((n) => ({ value: n, label: n }))} />
        <Select label="Who" name="top-consent" value={consent} onValue={(v) => setConsent(v as Consent)} options={CONSENT} />
      </div>
      {top.loading && !top.data && <Loading what="top customers" />}
      <ErrorNotice error={top.error} />
      {top.data && top.data.customers.length === 0 && <Empty>No such customers in this range.</Empty>}
      {top.data && top.data.customers.length > 0 && (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col" class="wide-only">
                  Email
                </th>
                <th scope="col" class="num">
                  Orders
                </th>
                <th scope="col" class="num">
                  Value
                </th>
              </tr>
            </thead>
            <tbody>
              {top.data.customers.map((c) => (
                <tr key={c.customer_id}>
                  <td>{name(c)}</td>
                  <td class="wide-only">{c.email ?? "—"}</td>
                  <td class="num">{c.order_count}</td>
                  <td class="num">{money(c.order_value, range.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
