// Sales by shipping province, largest value first; one province opened shows its items.
import { useState } from "preact/hooks";
import { type Schemas, api, ok } from "../api/client";
import { DownloadCsv } from "../components/Download";
import { ErrorNotice, Empty, Loading } from "../components/Notice";
import { useLoad } from "../components/useLoad";
import { money } from "../lib/chart";
import type { Range } from "./Analytics";

type Province = Schemas["Provinces"]["provinces"][number];
type Item = Schemas["ProvinceDetail"]["items"][number];

export function Provinces({ range }: { range: Range }) {
  const [open, setOpen] = useState<string | undefined>(undefined);
  const query = { start_date: range.start, end_date: range.end, currency: range.currency };
  const all = useLoad(async () => {
    const answer = await ok(api.GET("/analytics/v1/sales/province", { params: { query } }));
    return "provinces" in answer ? answer.provinces : [];
  }, [range]);
  return (
    <section class="panel" aria-labelledby="provinces-heading">
      <div class="panel-head">
        <h2 id="provinces-heading">Sales by province</h2>
        {all.data && (
          <DownloadCsv<Province>
            what="Sales by province"
            start={range.start}
            end={range.end}
            rows={all.data}
            columns={[
              { header: "province", value: (p) => p.province },
              { header: "order_count", value: (p) => p.order_count },
              { header: `order_value_${range.currency}`, value: (p) => p.order_value },
              { header: "items_sold", value: (p) => p.quantity },
            ]}
          />
        )}
      </div>
      {all.loading && !all.data && <Loading what="sales by province" />}
      <ErrorNotice error={all.error} />
      {all.data && all.data.length === 0 && <Empty>No sales in this range.</Empty>}
      {all.data && all.data.length > 0 && (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Province</th>
                <th scope="col" class="num">
                  Orders
                </th>
                <th scope="col" class="num">
                  Value
                </th>
                <th scope="col" class="num">
                  Items
                </th>
              </tr>
            </thead>
            <tbody>
              {all.data.map((p) => (
                <tr key={p.province}>
                  <td>
                    <button type="button" class="link" aria-expanded={open === p.province} onClick={() => setOpen(open === p.province ? undefined : p.province)}>
                      {p.province}
                    </button>
                  </td>
                  <td class="num">{p.order_count}</td>
                  <td class="num">{money(p.order_value, range.currency)}</td>
                  <td class="num">{p.quantity}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && <ProvinceItems range={range} province={open} />}
    </section>
  );
}

function ProvinceItems({ range, province }: { range: Range; province: string }) {
  const detail = useLoad(async () => {
    const answer = await ok(
      api.GET("/analytics/v1/sales/province", { params: { query: { start_date: range.start, end_date: range.end, currency: range.currency, province } } }),
    );
    return "items" in answer ? answer : undefined;
  }, [range, province]);
  return (
    <section class="detail" aria-labelledby="province-items-heading">
      <div class="panel-head">
        <h3 id="province-items-heading">Items sold in {province}</h3>
        {detail.data && (
          <DownloadCsv<Item>
            what={`Items in ${province}`}
            start={range.start}
            end={range.end}
            rows={detail.data.items}
            columns={[
              { header: "item_id", value: (i) => i.item_id },
              { header: "quantity", value: (i) => i.quantity },
            ]}
          />
        )}
      </div>
      {detail.loading && !detail.data && <Loading what={`the items sold in ${province}`} />}
      <ErrorNotice error={detail.error} />
      {detail.data && detail.data.items.length === 0 && <Empty>No items recorded.</Empty>}
      {detail.data && detail.data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" class="num">
                Quantity
              </th>
            </tr>
          </thead>
          <tbody>
            {detail.data.items.map((i) => (
              <tr key={i.item_id}>
                <td>
                  <code>{i.item_id}</code>
                </td>
                <td class="num">{i.quantity}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
