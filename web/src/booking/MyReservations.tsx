// The client's reservations, newest first, page by page, each cancellable while it is live.
import { useState } from "preact/hooks";
import { ApiError, api, ok } from "../api/client";
import { ErrorNotice, Empty, Loading } from "../components/Notice";
import { Pager } from "../components/Pager";
import { useAction, useLoad } from "../components/useLoad";
import { MoveReservation } from "./MoveReservation";
import { clock, dayLabel, dayOf } from "./time";

type Props = { changes: number; onChange: () => void };

export function MyReservations({ changes, onChange }: Props) {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const list = useLoad(
    () => ok(api.GET("/booking/v1/clients/me/reservations", { params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } } })),
    [cursor, changes],
  );
  const cancel = useAction();
  const [moving, setMoving] = useState<string | undefined>(undefined);
  // Without a client profile there is nothing to list; the name is asked for at the first booking.
  // (Also once the client deleted their data: what was listed before is gone.)
  const noProfile = list.failure instanceof ApiError && list.failure.code === "client_profile_required";
  const page = noProfile ? undefined : list.data;
  return (
    <section class="panel" aria-labelledby="mine-heading">
      <h2 id="mine-heading">My reservations</h2>
      {list.loading && !list.data && <Loading what="your reservations" />}
      {noProfile ? <Empty>No reservations yet.</Empty> : <ErrorNotice error={list.error} />}
      <ErrorNotice error={cancel.error} />
      {page && page.reservations.length === 0 && <Empty>No reservations yet.</Empty>}
      <ul class="rows">
        {page?.reservations.map((r) => (
          <li key={r.reservation_id}>
            <span>
              {dayLabel(dayOf(r.start_time))} {clock(r.start_time)} · <strong>{r.status}</strong>
              {r.cancelled_by === "provider" && <> · cancelled by the provider{r.cancel_reason ? `: ${r.cancel_reason}` : ""}</>}
            </span>
            {(r.status === "held" || r.status === "confirmed") && moving !== r.reservation_id && (
              <button type="button" class="secondary" onClick={() => setMoving(r.reservation_id)}>
                Move
              </button>
            )}
            {(r.status === "held" || r.status === "confirmed") && (
              <button
                type="button"
                class="secondary"
                disabled={cancel.busy}
                onClick={() =>
                  void cancel
                    .run(() => ok(api.DELETE("/booking/v1/reservations/{reservation_id}", { params: { path: { reservation_id: r.reservation_id } } })))
                    .then((done) => done && onChange())
                }
              >
                Cancel
              </button>
            )}
            {moving === r.reservation_id && (
              <MoveReservation
                reservation={r}
                onClose={() => setMoving(undefined)}
                onMoved={() => {
                  setMoving(undefined);
                  onChange();
                }}
              />
            )}
          </li>
        ))}
      </ul>
      <Pager next={page?.next_cursor} atStart={!cursor} onNext={setCursor} onFirst={() => setCursor(undefined)} />
    </section>
  );
}
