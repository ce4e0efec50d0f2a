// A client moves a reservation to another bookable time of the same provider, in one step (the
// old time is freed only if the new one is taken).
import { useRef, useState } from "preact/hooks";
import { type Schemas, api, idempotencyKey, keepsKey, ok } from "../api/client";
import { ErrorNotice, Empty, Loading } from "../components/Notice";
import { useAction, useLoad } from "../components/useLoad";
import { clock, dayLabel, dayOf } from "./time";

type Props = { reservation: Schemas["Reservation"]; onMoved: () => void; onClose: () => void };

export function MoveReservation({ reservation, onMoved, onClose }: Props) {
  const slots = useLoad(
    () =>
      ok(
        api.GET("/booking/v1/providers/{provider_id}/availability", {
          params: { path: { provider_id: reservation.provider_id }, query: { limit: 100 } },
        }),
      ),
    [reservation.provider_id],
  );
  const [slotId, setSlotId] = useState("");
  // One key per chosen time, kept until an answer that settles it: a double submit moves it once.
  const keys = useRef(new Map<string, string>());
  const move = useAction();
  const selectId = `move-${reservation.reservation_id}`;
  return (
    <form
      class="move"
      aria-label="Move reservation"
      onSubmit={(e) => {
        e.preventDefault();
        if (!slotId) return move.setError("Choose a new time.");
        const key = keys.current.get(slotId) ?? idempotencyKey();
        keys.current.set(slotId, key);
        void move
          .run(() =>
            ok(
              api.POST("/booking/v1/reservations/{reservation_id}/reschedule", {
                params: { path: { reservation_id: reservation.reservation_id }, header: { "Idempotency-Key": key } },
                body: { slot_id: slotId },
              }),
            ).catch((err: unknown) => {
              if (!keepsKey(err)) keys.current.delete(slotId);
              throw err;
            }),
          )
          .then((done) => done && onMoved());
      }}
    >
      {slots.loading && !slots.data && <Loading what="free times" />}
      <ErrorNotice error={slots.error ?? move.error} />
      {slots.data && slots.data.slots.length === 0 && <Empty>No other free times with this provider.</Empty>}
      {slots.data && slots.data.slots.length > 0 && (
        <div class="field">
          <label for={selectId}>New time</label>
          <select id={selectId} value={slotId} onChange={(e) => setSlotId(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {slots.data.slots.map((s) => (
              <option key={s.slot_id} value={s.slot_id}>
                {dayLabel(dayOf(s.start_time))} {clock(s.start_time)}
              </option>
            ))}
          </select>
        </div>
      )}
      <button type="submit" disabled={move.busy || !slotId}>
        Move here
      </button>{" "}
      <button type="button" class="secondary" onClick={onClose}>
        Keep it
      </button>
    </form>
  );
}
