// My orders, newest first, page by page.
import { useState } from "preact/hooks";
import { api, ok } from "../api/client";
import { ErrorNotice, Empty, Loading } from "../components/Notice";
import { Pager } from "../components/Pager";
import { useLoad } from "../components/useLoad";
import { money } from "../lib/chart";

export function MyOrders({ changes }: { changes: number }) {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const list = useLoad(() => ok(api.GET("/orders/v1/orders", { params: { query: { limit: 10, ...(cursor ? { cursor } : {}) } } })), [cursor, changes]);
  return (
    <section class="panel" aria-labelledby="my-orders-heading">
      <h2 id="my-orders-heading">My orders</h2>
      {list.loading && !list.data && <Loading what="your orders" />}
      <ErrorNotice error={list.error} />
      {list.data && list.data.orders.length === 0 && <Empty>No orders yet.</Empty>}
      <ul class="rows">
        {list.data?.orders.map((o) => (
          <li key={o.order_id}>
            <span>
              {o.quantity} × <strong>{o.symbol}</strong>
              <span class="small"> · {new Date(o.created_at).toLocaleString()}</span>
            </span>
            <span>{o.status === "processed" ? `processed, ${money(o.execution_price, "USD")}` : "queued"}</span>
          </li>
        ))}
      </ul>
      <Pager next={list.data?.next_cursor} atStart={!cursor} onNext={setCursor} onFirst={() => setCursor(undefined)} />
    </section>
  );
}
