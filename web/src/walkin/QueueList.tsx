// The queue as staff see it: names, tiers and check-in times in serving order, page by page.
import { useState } from "preact/hooks";
import { api, ok } from "../api/client";
import { ErrorNotice, Empty, Loading } from "../components/Notice";
import { Pager } from "../components/Pager";
import { useInterval, useLoad } from "../components/useLoad";
import { tierName } from "./format";

const PAGE = 25;

export function QueueList() {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const queue = useLoad(
    () => ok(api.GET("/walkin/v1/queue", { params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } } })),
    [cursor],
  );
  useInterval(() => cursor === undefined && queue.reload(), 10_000);
  const data = queue.data;
  return (
    <section class="panel" aria-labelledby="queue-heading">
      <h2 id="queue-heading">Queue</h2>
      <button type="button" class="secondary" onClick={queue.reload}>
        Refresh
      </button>
      {queue.loading && !data && <Loading what="the queue" />}
      <ErrorNotice error={queue.error} />
      {data && (
        <>
          <p>
            {data.vip_waiting} VIP and {data.regular_waiting} regular waiting.
          </p>
          {data.waiting.length === 0 ? (
            <Empty>Nobody is waiting.</Empty>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Ticket</th>
                  <th scope="col">Name</th>
                  <th scope="col">Tier</th>
                  <th scope="col">Checked in</th>
                </tr>
              </thead>
              <tbody>
                {data.waiting.map((entry) => (
                  <tr key={entry.service_id}>
                    <td>{entry.service_id}</td>
                    <td>{entry.first_name ?? ""}</td>
                    <td>{tierName(entry.tier)}</td>
                    <td>{new Date(entry.checked_in_at).toLocaleTimeString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager next={data.next_cursor} atStart={cursor === undefined} onNext={setCursor} onFirst={() => setCursor(undefined)} />
        </>
      )}
    </section>
  );
}
