// The range's events by when they happened, a page at a time with the API's cursors; each opens
// as the JSON the service stored.
import { useState } from "preact/hooks";
import { type Schemas, api, ok } from "../api/client";
import { DownloadCsv } from "../components/Download";
import { ErrorNotice, Empty, Loading } from "../components/Notice";
import { Pager } from "../components/Pager";
import { useLoad } from "../components/useLoad";
import type { Range } from "./Analytics";

type Event = Schemas["StoredEvent"];

const text = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : "");
const customer = (e: Event) => text(e.lovevery_user_id ?? e.customer_id);
const province = (e: Event) => text((e.shipping_address as { province?: unknown } | undefined)?.province);

export function Events({ range }: { range: Range }) {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [open, setOpen] = useState<string | undefined>(undefined);
  const page = useLoad(
    () => ok(api.GET("/analytics/v1/events", { params: { query: { start_date: range.start, end_date: range.end, limit: 10, ...(cursor ? { cursor } : {}) } } })),
    [range, cursor],
  );
  return (
    <section class="panel" aria-labelledby="events-heading">
      <div class="panel-head">
        <h2 id="events-heading">Events</h2>
        {page.data && (
          <DownloadCsv<Event>
            what="Events"
            start={range.start}
            end={range.end}
            rows={page.data.events}
            columns={[
              { header: "occurred_at", value: (e) => e.occurred_at },
              { header: "event_id", value: (e) => e.event_id },
              { header: "customer_id", value: customer },
              { header: "province", value: province },
              { header: "currency", value: (e) => text(e.currency) },
              { header: "order_value", value: (e) => text(e.order_value) },
              { header: "received_at", value: (e) => e.received_at },
            ]}
          />
        )}
      </div>
      <p class="small">All currencies, by when they happened; this page's rows go into the CSV.</p>
      {page.loading && !page.data && <Loading what="events" />}
      <ErrorNotice error={page.error} />
      {page.data && page.data.events.length === 0 && <Empty>No events in this range.</Empty>}
      {page.data && page.data.events.length > 0 && (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Happened (UTC)</th>
                <th scope="col">Customer</th>
                <th scope="col" class="wide-only">
                  Province
                </th>
                <th scope="col" class="num">
                  Value
                </th>
                <th scope="col">Event</th>
              </tr>
            </thead>
            <tbody>
              {page.data.events.map((e) => (
                <tr key={e.event_id}>
                  <td class="nowrap">{e.occurred_at.slice(0, 16).replace("T", " ")}</td>
                  <td>{customer(e)}</td>
                  <td class="wide-only">{province(e)}</td>
                  <td class="num">
                    {text(e.order_value)} {text(e.currency)}
                  </td>
                  <td>
                    <button type="button" class="link" aria-expanded={open === e.event_id} onClick={() => setOpen(open === e.event_id ? undefined : e.event_id)}>
                      {e.event_id}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager next={page.data?.next_cursor} atStart={!cursor} onNext={setCursor} onFirst={() => setCursor(undefined)} />
      {open && <StoredEvent id={open} onClose={() => setOpen(undefined)} />}
    </section>
  );
}

function StoredEvent({ id, onClose }: { id: string; onClose: () => void }) {
  const event = useLoad(() => ok(api.GET("/analytics/v1/events/{event_id}", { params: { path: { event_id: id } } })), [id]);
  return (
    <section class="detail" aria-labelledby="event-json-heading">
      <div class="panel-head">
        <h3 id="event-json-heading">Event {id} as stored</h3>
        <button type="button" class="secondary small" onClick={onClose}>
          Close
        </button>
      </div>
      {event.loading && !event.data && <Loading what="the event" />}
      <ErrorNotice error={event.error} />
      {event.data && <pre class="json">{JSON.stringify(event.data, null, 2)}</pre>}
    </section>
  );
}
