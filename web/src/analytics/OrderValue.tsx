// Order value by day as a chart, with the range's total (the API's exact sum, not the chart's).
import { useMemo } from "preact/hooks";
import { api, ok } from "../api/client";
import { Chart, type Line } from "../components/Chart";
import { DownloadCsv } from "../components/Download";
import { ErrorNotice, Empty, Loading } from "../components/Notice";
import { useLoad } from "../components/useLoad";
import { money, valueLine } from "../lib/chart";
import type { Range } from "./Analytics";

const LINES: Line[] = [{ label: "Order value", color: "#0b5cad" }];

type Day = { date: string; order_count: number; order_value: number };

export function OrderValue({ range }: { range: Range }) {
  const query = { start_date: range.start, end_date: range.end, currency: range.currency };
  const days = useLoad(async () => {
    const answer = await ok(api.GET("/analytics/v1/orders/value", { params: { query: { ...query, mode: "DAY" } } }));
    return "days" in answer ? answer.days : [];
  }, [range]);
  const total = useLoad(async () => {
    const answer = await ok(api.GET("/analytics/v1/orders/value", { params: { query: { ...query, mode: "TOTAL" } } }));
    return "order_value" in answer ? answer : undefined;
  }, [range]);
  const line = useMemo(() => (days.data ? valueLine(days.data) : undefined), [days.data]);
  const any = days.data?.some((d) => d.order_count > 0);
  return (
    <section class="panel" aria-labelledby="value-heading">
      <div class="panel-head">
        <h2 id="value-heading">Order value by day</h2>
        {days.data && (
          <DownloadCsv<Day>
            what="Order value by day"
            start={range.start}
            end={range.end}
            rows={days.data}
            columns={[
              { header: "date", value: (d) => d.date },
              { header: "order_count", value: (d) => d.order_count },
              { header: `order_value_${range.currency}`, value: (d) => d.order_value },
            ]}
          />
        )}
      </div>
      {total.data && (
        <p class="total">
          Total: <strong>{money(total.data.order_value, range.currency)}</strong> from {total.data.order_count} order{total.data.order_count === 1 ? "" : "s"}
        </p>
      )}
      {(days.loading || total.loading) && !days.data && <Loading what="order values" />}
      <ErrorNotice error={days.error ?? total.error} />
      {days.data && !any && <Empty>No orders in {range.currency} in this range.</Empty>}
      {line && any && <Chart title={`Order value by day in ${range.currency}, ${range.start} to ${range.end}`} data={line} lines={LINES} currency={range.currency} zero />}
    </section>
  );
}
