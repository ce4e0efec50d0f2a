// The desk (staff): choose the desk, call the next customer to it, mark them served or no-show or
// call them again, register customers (and remove them, by the customer id shown), cancel a
// ticket, and the queue with names, page by page.
import { useState } from "preact/hooks";
import { type Schemas, api, idempotencyKey, ok } from "../api/client";
import { Gate } from "../components/Layout";
import { ErrorNotice, Info } from "../components/Notice";
import { useAction } from "../components/useLoad";
import { CustomerId, Register } from "./Register";
import { RemoveCustomer } from "./RemoveCustomer";
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
          <RemoveCustomer />
        </div>
        <QueueList />
      </div>
    </Gate>
  );
}

/** The desk this screen calls to, kept on this device so a reload keeps it. */
const DESK_KEY = "walkin.desk";

function storedDesk(): string {
  try {
    return localStorage.getItem(DESK_KEY) || "1";
  } catch {
    return "1";
  }
}

type Called = Schemas["Called"];
type Ticket = Schemas["Ticket"];

function CallNext() {
  const [desk, setDesk] = useState(storedDesk);
  const [called, setCalled] = useState<Called | undefined>(undefined);
  const [outcome, setOutcome] = useState<Ticket | undefined>(undefined);
  const action = useAction();
  const chooseDesk = (value: string) => {
    setDesk(value);
    try {
      localStorage.setItem(DESK_KEY, value);
    } catch {
      // A private window without storage: the desk lasts as long as the page.
    }
  };
  const call = async () => {
    const next = await action.run(() =>
      ok(
        api.POST("/walkin/v1/appointment/next", {
          params: { header: { "Idempotency-Key": idempotencyKey() } },
          body: { desk: desk.trim() || "1" },
        }),
      ),
    );
    setOutcome(undefined);
    if (next) setCalled(next);
  };
  const decide = async (verdict: "served" | "no_show" | "recall") => {
    if (!called) return;
    const path = {
      served: "/walkin/v1/appointment/{service_id}/served",
      no_show: "/walkin/v1/appointment/{service_id}/no_show",
      recall: "/walkin/v1/appointment/{service_id}/recall",
    } as const;
    const ticket = await action.run(() => ok(api.POST(path[verdict], { params: { path: { service_id: called.service_id } } })));
    if (ticket) setOutcome(ticket);
  };
  const open = called && (!outcome || outcome.status === "called");
  return (
    <section class="panel" aria-labelledby="call-heading">
      <h2 id="call-heading">Next customer</h2>
      <div class="inline">
        <label for="desk-name">Desk</label>
        <input id="desk-name" value={desk} maxLength={20} required onInput={(e) => chooseDesk(e.currentTarget.value)} />
      </div>
      <button type="button" class="big" disabled={action.busy} onClick={() => void call()}>
        {action.busy ? "Calling…" : `Call next to desk ${desk.trim() || "1"}`}
      </button>
      <ErrorNotice error={action.error} />
      {called && (
        <Info>
          Ticket <strong>{called.service_id}</strong>: {called.first_name} {called.last_name}, {tierName(called.tier)}, waited{" "}
          {waited(called.waited_seconds)}, called to desk {called.desk}.
          {outcome && outcome.status === "called" && " Called again."}
          {outcome && outcome.status === "served" && " Served."}
          {outcome && outcome.status === "no_show" && " Marked as a no-show."}
          <br />
          Customer id: <CustomerId id={called.customer_id} />
        </Info>
      )}
      {open && (
        <div class="actions">
          <button type="button" disabled={action.busy} onClick={() => void decide("served")}>
            Served
          </button>
          <button type="button" class="secondary" disabled={action.busy} onClick={() => void decide("no_show")}>
            No-show
          </button>
          <button type="button" class="secondary" disabled={action.busy} onClick={() => void decide("recall")}>
            Call again
          </button>
        </div>
      )}
      <p class="hint">Calling the next customer marks this desk's current one as served.</p>
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
