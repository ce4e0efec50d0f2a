// What an alert's last email carried: each listing's picture, title (a link to the listing, in a
// new tab), total price with what shipping adds, condition and seller.
import { useState } from "preact/hooks";
import { api, ok } from "../api/client";
import { ErrorNotice, Empty, Loading } from "../components/Notice";
import { useLoad } from "../components/useLoad";
import { money } from "../lib/chart";

export function Products({ alertId }: { alertId: string }) {
  const products = useLoad(() => ok(api.GET("/alerts/v1/alerts/{alert_id}/products", { params: { path: { alert_id: alertId } } })), [alertId]);
  const data = products.data;
  return (
    <section class="products" aria-label="Last listings">
      <h4>Last listings</h4>
      {products.loading && !data && <Loading what="the listings" />}
      <ErrorNotice error={products.error} />
      {data && data.products.length === 0 && <Empty>No email yet: the listings of the first one show here.</Empty>}
      {data?.fetched_at && <p class="small">As of {new Date(data.fetched_at).toLocaleString()}, cheapest first.</p>}
      <ul class="listings">
        {data?.products.map((p) => (
          <li key={p.item_id}>
            <Picture src={p.image_url} />
            <div>
              <a href={p.item_url} target="_blank" rel="noopener noreferrer">
                {p.title}
                <span class="visually-hidden"> (opens in a new tab)</span>
              </a>
              <p class="small">
                <strong class="price">{money(p.total_price, p.currency)}</strong>
                {p.shipping_cost ? ` (${money(p.price, p.currency)} + ${money(p.shipping_cost, p.currency)} shipping)` : " (shipping included)"}
                {p.condition && ` · ${p.condition}`}
                {p.seller && ` · ${p.seller}`}
              </p>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The listing's picture, or an empty frame when it has none or it does not load. */
function Picture({ src }: { src: string | undefined }) {
  const [broken, setBroken] = useState(false);
  if (!src || broken) return <span class="no-image" aria-hidden="true" />;
  return <img src={src} alt="" loading="lazy" width={72} height={72} onError={() => setBroken(true)} />;
}
