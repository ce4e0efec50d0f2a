// A new hold: the slot is the client's until the hold runs out; a visible countdown and the
// button that confirms it.
import { useEffect, useState } from "preact/hooks";
import { type Schemas, api, ok } from "../api/client";
import { ErrorNotice, Info } from "../components/Notice";
import { useAction } from "../components/useLoad";
import { clock, countdown, dayLabel, dayOf } from "./time";

type Props = { hold: Schemas["Reservation"]; onConfirmed: () => void; onDone: () => void };

export function HoldPanel({ hold, onConfirmed, onDone }: Props) {
  const [now, setNow] = useState(Date.now());
  const [confirmed, setConfirmed] = useState(false);
  const action = useAction();
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  const left = countdown(hold.expires_at, now);
  const expired = new Date(hold.expires_at).getTime() <= now;
  const when = `${dayLabel(dayOf(hold.start_time))} at ${clock(hold.start_time)}`;
  if (confirmed) {
    return (
      <section class="panel hold" aria-labelledby="hold-heading">
        <h2 id="hold-heading">Booked</h2>
        <Info>Your appointment on {when} is confirmed.</Info>
        <button type="button" onClick={onDone}>
          Close
        </button>
      </section>
    );
  }
  return (
    <section class="panel hold" aria-labelledby="hold-heading">
      <h2 id="hold-heading">Confirm your booking</h2>
      <p>
        {when} is held for you. {expired ? "The hold has run out." : <>Confirm within <strong class="countdown" role="timer">{left}</strong>.</>}
      </p>
      <ErrorNotice error={action.error} />
      <button
        type="button"
        disabled={action.busy || expired}
        onClick={() =>
          void action
            .run(() => ok(api.POST("/booking/v1/reservations/{reservation_id}/confirm", { params: { path: { reservation_id: hold.reservation_id } } })))
            .then((r) => {
              if (!r) return;
              setConfirmed(true);
              onConfirmed();
            })
        }
      >
        Confirm booking
      </button>{" "}
      <button type="button" class="secondary" onClick={onDone}>
        Not now
      </button>
    </section>
  );
}
