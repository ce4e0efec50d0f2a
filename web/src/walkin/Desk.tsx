// The desk (staff): call the next customer, register customers, cancel a ticket, and the queue
// with names, page by page.
import { useState } from "preact/hooks";
import { type Schemas, api, idempotencyKey, ok } from "../api/client";
import { Gate } from "../components/Layout";
import { ErrorNotice, Info } from "../components/Notice";
import { useAction } from "../components/useLoad";
import { Register } from "./Register";
import { QueueList } from "./QueueList";
import { tierName, waited } from "./format";

export function Desk() {
  return (
    <Gate need="staff">
      <h1>Desk</h1>
      <div class="columns">
        <div>
          <CallNext />
          <CancelTicket />
          <Register />
        </div>
        <QueueList />
      </div>
    </Gate>
  );
}

function CallNext() {
  const [called, setCalled] = useState<Schemas["Called"] | undefined>(undefined);
  const action = useAction();
  const call = async () => {
    const next = await action.run(() =>
      ok(api.POST("/walkin/v1/appointment/next", { params: { header: { "Idempotency-Key": idempotencyKey() } } })),
    );
    if (next) setCalled(next);
  };
  return (
    <section class="panel" aria-labelledby="call-heading">
      <h2 id="call-heading">Next customer</h2>
      <button type="button" class="big" disabled={action.busy} onClick={() => void call()}>
        {action.busy ? "Calling…" : "Call next"}
      </button>
      <ErrorNotice error={action.error} />
      {called && (
        <Info>
          Ticket <strong>{called.service_id}</strong>: {called.first_name} {called.last_name}, {tierName(called.tier)}, waited{" "}
          {waited(called.waited_seconds)}.
        </Info>
      )}
    </section>
  );
}

function CancelTicket() {
  const [number, setNumber] = useState("");
  const [done, setDone] = useState<string | undefined>(undefined);
  const action = useAction();
  const cancel = async () => {
    const id = Number(number);
    const ticket = await action.run(() => ok(api.DELETE("/walkin/v1/appointment/{service_id}", { params: { path: { service_id: id } } })));
    if (ticket) {
      setDone(`Ticket ${ticket.service_id} is cancelled.`);
      setNumber("");
    }
  };
  return (
    <section class="panel" aria-labelledby="cancel-heading">
      <h2 id="cancel-heading">Cancel a ticket</h2>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          setDone(undefined);
          void cancel();
        }}
      >
        <label for="cancel-number">Ticket number</label>
        <input id="cancel-number" inputMode="numeric" pattern="[0-9]+" value={number} onInput={(e) => setNumber(e.currentTarget.value)} required />
        <button type="submit" class="secondary" disabled={action.busy}>
          Cancel ticket
        </button>
      </form>
      <ErrorNotice error={action.error} />
      {done && <Info>{done}</Info>}
    </section>
  );
}
