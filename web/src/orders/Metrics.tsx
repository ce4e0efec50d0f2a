// Staff and admins: how many orders were processed and their average execution price.
import { api, ok } from "../api/client";
import { ErrorNotice, Loading } from "../components/Notice";
import { useLoad } from "../components/useLoad";
import { money } from "../lib/chart";

export function Metrics({ changes }: { changes: number }) {
  const metrics = useLoad(() => ok(api.GET("/orders/v1/metrics")), [changes]);
  return (
    <section class="panel" aria-labelledby="metrics-heading">
      <div class="panel-head">
        <h2 id="metrics-heading">Processing metrics</h2>
        <button type="button" class="secondary small" onClick={metrics.reload} disabled={metrics.loading}>
          Refresh
        </button>
      </div>
      {metrics.loading && !metrics.data && <Loading what="the metrics" />}
      <ErrorNotice error={metrics.error} />
      {metrics.data && (
        <dl class="facts">
          <div>
            <dt>Orders processed</dt>
            <dd>{metrics.data.total_orders_processed.toLocaleString("en-US")}</dd>
          </div>
          <div>
            <dt>Average execution price</dt>
            <dd>{metrics.data.average_execution_price === null ? "none processed yet" : money(metrics.data.average_execution_price, "USD")}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}
