// The board for a TV (public): who is called to which desk, and the waiting ticket numbers in
// serving order, in large type, read again every five seconds. It asks as the public does, so it
// never shows a name.
import { ok, publicApi } from "../api/client";
import { ErrorNotice, Loading } from "../components/Notice";
import { useInterval, useLoad } from "../components/useLoad";

const REFRESH_MS = 5000;
/** As many numbers as a screen shows. */
const SHOWN = 40;

export function Board() {
  const queue = useLoad(() => ok(publicApi.GET("/walkin/v1/queue", { params: { query: { limit: SHOWN } } })), []);
  useInterval(queue.reload, REFRESH_MS);
  const data = queue.data;
  return (
    <section class="board">
      <h1>Queue</h1>
      {!data && !queue.error && <Loading what="the queue" />}
      <ErrorNotice error={queue.error && `${queue.error} (retrying)`} />
      {data && (
        <>
          <h2>Now called</h2>
          {data.called.length === 0 ? (
            <p class="board-empty">Nobody is called right now.</p>
          ) : (
            <ul class="board-calls">
              {data.called.map((call) => (
                <li key={call.service_id}>
                  Ticket <strong>{call.service_id}</strong>: desk <strong>{call.desk}</strong>
                </li>
              ))}
            </ul>
          )}
          <h2>Waiting, in order</h2>
          {data.waiting.length === 0 ? (
            <p class="board-empty">Nobody is waiting.</p>
          ) : (
            <ol class="board-numbers">
              {data.waiting.map((entry) => (
                <li key={entry.service_id}>
                  {entry.service_id}
                  {entry.tier === "vip" && <span class="tag"> VIP</span>}
                </li>
              ))}
            </ol>
          )}
          <p class="board-counts">
            {data.vip_waiting + data.regular_waiting} waiting ({data.vip_waiting} VIP, {data.regular_waiting} regular)
          </p>
        </>
      )}
    </section>
  );
}
