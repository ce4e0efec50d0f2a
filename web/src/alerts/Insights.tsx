// An alert's price insights over 7, 14, 30 or 90 days: the chart of each day's lowest and median
// price, how the median moved, the lowest listing, the price drops and the listings at their lowest.
import { useMemo, useState } from "preact/hooks";
import { api, ok } from "../api/client";
import { Chart, type Line } from "../components/Chart";
import { ErrorNotice, Empty, Loading } from "../components/Notice";
import { useLoad } from "../components/useLoad";
import { change, money, priceLines } from "../lib/chart";

const WINDOWS = [7, 14, 30, 90] as const;
const LINES: Line[] = [
  { label: "Lowest price", color: "#0b5cad" },
  { label: "Median price", color: "#b35900", dash: [8, 5] },
];

function Listing({ href, title }: { href: string; title: string }) {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {title}
      <span class="visually-hidden"> (opens in a new tab)</span>
    </a>
  );
}

export function Insights({ alertId }: { alertId: string }) {
  const [days, setDays] = useState<(typeof WINDOWS)[number]>(14);
  const insights = useLoad(
    () => ok(api.GET("/alerts/v1/alerts/{alert_id}/insights", { params: { path: { alert_id: alertId }, query: { days } } })),
    [alertId, days],
  );
  const data = insights.data;
  const lines = useMemo(() => (data ? priceLines(data.days) : undefined), [data]);
  const currency = data?.currency ?? "USD";
  return (
    <section class="insights" aria-label="Price insights">
      <h4>Price insights</h4>
      <div class="choices" role="group" aria-label="Days shown">
        {WINDOWS.map((n) => (
          <button type="button" key={n} class={n === days ? "" : "secondary"} aria-pressed={n === days} onClick={() => setDays(n)}>
            {n} days
          </button>
        ))}
      </div>
      {insights.loading && !data && <Loading what="the price history" />}
      <ErrorNotice error={insights.error} />
      {data && data.days.length === 0 && <Empty>No prices seen for this search in the last {days} days yet: they build up with every search.</Empty>}
      {data && data.days.length > 0 && lines && (
        <>
          <Chart title={`Lowest and median price of “${data.search_phrase}”, last ${days} days`} data={lines} lines={LINES} currency={currency} />
          <dl class="facts">
            <div>
              <dt>Median price change</dt>
              <dd>{change(data.median_change_pct)}</dd>
            </div>
            {data.lowest && (
              <div>
                <dt>Lowest price</dt>
                <dd>
                  {money(data.lowest.price, currency)} on {data.lowest.date}: <Listing href={data.lowest.item_url} title={data.lowest.title} />
                </dd>
              </div>
            )}
          </dl>
          <h5>Price drops</h5>
          {data.price_drops.length === 0 ? (
            <Empty>No listing got cheaper in this window.</Empty>
          ) : (
            <ul class="rows">
              {data.price_drops.map((d) => (
                <li key={d.item_id}>
                  <Listing href={d.item_url} title={d.title} />
                  <span>
                    {money(d.from_price, currency)} → <strong>{money(d.to_price, currency)}</strong> ({change(d.change_pct)})
                  </span>
                </li>
              ))}
            </ul>
          )}
          <h5>At their lowest now</h5>
          {data.at_lowest.length === 0 ? (
            <Empty>No listing is at its lowest price of the window.</Empty>
          ) : (
            <ul class="rows">
              {data.at_lowest.map((l) => (
                <li key={l.item_id}>
                  <Listing href={l.item_url} title={l.title} />
                  <strong>{money(l.price, currency)}</strong>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
