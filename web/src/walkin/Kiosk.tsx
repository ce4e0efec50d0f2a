// The kiosk at the door (public): check in with name and phone number, then the ticket with its
// place in the queue, updating by itself, and a button to leave the queue. "Done" clears the
// screen for the next person.
import { useState } from "preact/hooks";
import { ApiError, idempotencyKey, keepsKey, ok, publicApi } from "../api/client";
import { Field } from "../components/Field";
import { ErrorNotice, Info } from "../components/Notice";
import { useAction, useInterval, useLoad } from "../components/useLoad";
import { type KeptTicket, deviceId, keepTicket, keptTicket } from "./device";
import { tierName, waitInWords } from "./format";

/** How often the ticket's place is read again. */
const REFRESH_MS = 5000;

export function Kiosk() {
  const [ticket, setTicket] = useState<KeptTicket | undefined>(keptTicket);
  const done = () => {
    keepTicket(undefined);
    setTicket(undefined);
  };
  return (
    <section class="kiosk">
      <h1>Welcome</h1>
      {ticket ? <TicketCard kept={ticket} onDone={done} /> : <CheckIn onTicket={(t) => (keepTicket(t), setTicket(t))} />}
    </section>
  );
}

function CheckIn({ onTicket }: { onTicket: (ticket: KeptTicket) => void }) {
  const [first, setFirst] = useState("");
  const [last, setLast] = useState("");
  const [phone, setPhone] = useState("");
  // One key per attempt: a retry after a dropped answer gets the same ticket back.
  const [key, setKey] = useState(idempotencyKey);
  const action = useAction();
  const submit = async () => {
    const checked = await action.run(() =>
      ok(
        publicApi.POST("/walkin/v1/appointment", {
          params: { header: { "Idempotency-Key": key, "X-Device-Id": deviceId() } },
          body: { first_name: first.trim(), last_name: last.trim(), phone_number: phone.trim() },
        }),
      ).catch((err: unknown) => {
        if (!keepsKey(err)) setKey(idempotencyKey());
        throw kioskError(err);
      }),
    );
    if (checked) {
      setKey(idempotencyKey());
      onTicket({ service_id: checked.service_id, cancel_token: checked.cancel_token });
    }
  };
  return (
    <form
      class="checkin"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <p>Check in with the name and phone number you registered with.</p>
      <Field label="First name" name="first_name" value={first} onValue={setFirst} autoComplete="given-name" required maxLength={50} />
      <Field label="Last name" name="last_name" value={last} onValue={setLast} autoComplete="family-name" required maxLength={50} />
      <Field label="Phone number" name="phone_number" type="tel" value={phone} onValue={setPhone} autoComplete="tel" required />
      <ErrorNotice error={action.error} />
      <button type="submit" class="big" disabled={action.busy}>
        {action.busy ? "Checking in…" : "Check in"}
      </button>
    </form>
  );
}

/** The kiosk's own words for the two refusals a visitor can fix. */
function kioskError(err: unknown): unknown {
  if (err instanceof ApiError && err.code === "customer_not_found") {
    return new Error("We could not find you. Check your name and phone number, or ask at the desk to register.");
  }
  if (err instanceof ApiError && err.code === "already_checked_in") {
    return new Error("You are already in the queue. Please wait to be called.");
  }
  return err;
}

function TicketCard({ kept, onDone }: { kept: KeptTicket; onDone: () => void }) {
  const ticket = useLoad(
    () => ok(publicApi.GET("/walkin/v1/appointment/{service_id}", { params: { path: { service_id: kept.service_id } } })),
    [kept.service_id],
  );
  useInterval(ticket.reload, REFRESH_MS);
  const leave = useAction();
  // A ticket that is no more (its customer removed from the registry, or expired): said in words.
  const gone = ticket.failure instanceof ApiError && ticket.failure.code === "appointment_not_found";
  const current = gone ? undefined : ticket.data;
  return (
    <div class="ticket" aria-live="polite">
      <p class="ticket-number">
        Your ticket <strong>{kept.service_id}</strong>
      </p>
      {current && current.status === "waiting" && (
        <>
          <p>
            {tierName(current.tier)} · position <strong>{current.position ?? "—"}</strong> in line
          </p>
          <p>
            Estimated wait: <strong>{waitInWords(current.estimated_wait_seconds) ?? "not known yet"}</strong>
          </p>
        </>
      )}
      {current && current.status === "called" && (
        <Info>
          It is your turn: please go to desk <strong>{current.desk}</strong>.
        </Info>
      )}
      {current && current.status !== "waiting" && current.status !== "called" && (
        <Info>This ticket is {current.status === "no_show" ? "closed (not seen at the desk)" : current.status}.</Info>
      )}
      {gone && <Info>This ticket is no longer in the queue.</Info>}
      <ErrorNotice error={(gone ? undefined : ticket.error) ?? leave.error} />
      <div class="actions">
        {current?.status === "waiting" && (
          <button
            type="button"
            class="secondary"
            disabled={leave.busy}
            onClick={() =>
              void leave
                .run(() =>
                  ok(
                    publicApi.DELETE("/walkin/v1/appointment/{service_id}", {
                      params: { path: { service_id: kept.service_id }, header: { "X-Cancel-Token": kept.cancel_token } },
                    }),
                  ),
                )
                .then(() => ticket.reload())
            }
          >
            Leave the queue
          </button>
        )}
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
