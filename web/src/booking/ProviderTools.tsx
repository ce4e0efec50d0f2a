// A provider's own tools: publish availability (a day, from, to, slot length), the coming
// appointments with client names, the free slots, each deletable, and the profile's deletion.
import { useState } from "preact/hooks";
import { ApiError, api, ok } from "../api/client";
import { Field } from "../components/Field";
import { ErrorNotice, Empty, Info, Loading } from "../components/Notice";
import { Pager } from "../components/Pager";
import { useAction, useLoad } from "../components/useLoad";
import { byDay, clock, dayLabel, dayOf, localToUtc } from "./time";
import { DeleteProviderData } from "./DeleteData";
import { TimeZone } from "./TimeZone";

/** Slot lengths to offer: minutes that divide a day, as the API requires. */
const LENGTHS = [10, 15, 20, 30, 45, 60, 90, 120] as const;
type Length = (typeof LENGTHS)[number];

export function ProviderTools({ providerId, onDeleted }: { providerId: string; onDeleted: () => void }) {
  const [changes, setChanges] = useState(0);
  const changed = () => setChanges((n) => n + 1);
  return (
    <section aria-labelledby="provider-heading">
      <h2 id="provider-heading">Your practice</h2>
      <div class="columns">
        <Publish providerId={providerId} onPublished={changed} />
        <Appointments providerId={providerId} changes={changes} onChange={changed} />
      </div>
      <FreeSlots providerId={providerId} changes={changes} onChange={changed} />
      <TimeZone kind="provider" />
      <DeleteProviderData
        onDeleted={() => {
          changed();
          onDeleted();
        }}
      />
    </section>
  );
}

function Publish({ providerId, onPublished }: { providerId: string; onPublished: () => void }) {
  const [day, setDay] = useState("");
  const [from, setFrom] = useState("09:00");
  const [to, setTo] = useState("12:00");
  const [length, setLength] = useState<Length>(15);
  const [first, setFirst] = useState("");
  const [last, setLast] = useState("");
  const [needProfile, setNeedProfile] = useState(false);
  const [done, setDone] = useState<string | undefined>(undefined);
  const action = useAction();
  const publish = async () => {
    setDone(undefined);
    const start = localToUtc(day, from);
    const end = localToUtc(day, to);
    if (!start || !end) return action.setError("Choose a day and both times.");
    const created = await action.run(async () => {
      if (needProfile) {
        await ok(api.POST("/booking/v1/providers", { body: { first_name: first.trim(), last_name: last.trim() } }));
        setNeedProfile(false);
      }
      return ok(
        api.POST("/booking/v1/providers/{provider_id}/availability", {
          params: { path: { provider_id: providerId } },
          body: { start_time: start, end_time: end, slot_minutes: length },
        }),
      ).catch((err: unknown) => {
        if (err instanceof ApiError && err.code === "provider_not_found") {
          setNeedProfile(true);
          throw new Error("Publish your name first: it shows in the directory.");
        }
        throw err;
      });
    });
    if (created) {
      setDone(created.slots.length ? `${created.slots.length} new slots published.` : "Those times were published already.");
      onPublished();
    }
  };
  return (
    <form
      class="panel"
      aria-labelledby="publish-heading"
      onSubmit={(e) => {
        e.preventDefault();
        void publish();
      }}
    >
      <h3 id="publish-heading">Publish availability</h3>
      {needProfile && (
        <>
          <Field label="Your first name" name="provider_first_name" value={first} onValue={setFirst} required maxLength={50} />
          <Field label="Your last name" name="provider_last_name" value={last} onValue={setLast} required maxLength={50} />
        </>
      )}
      <Field label="Day" name="day" type="date" value={day} onValue={setDay} required />
      <Field label="From" name="from" type="time" value={from} onValue={setFrom} required />
      <Field label="To" name="to" type="time" value={to} onValue={setTo} required />
      <div class="field">
        <label for="slot-length">Slot length</label>
        <select id="slot-length" value={String(length)} onChange={(e) => setLength(Number(e.currentTarget.value) as Length)}>
          {LENGTHS.map((m) => (
            <option key={m} value={String(m)}>
              {m} minutes
            </option>
          ))}
        </select>
      </div>
      <ErrorNotice error={action.error} />
      {done && <Info>{done}</Info>}
      <button type="submit" disabled={action.busy}>
        Publish
      </button>
    </form>
  );
}

function Appointments({ providerId, changes, onChange }: { providerId: string; changes: number; onChange: () => void }) {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [cancelling, setCancelling] = useState<string | undefined>(undefined);
  const [reason, setReason] = useState("");
  const cancel = useAction();
  const list = useLoad(
    () =>
      ok(
        api.GET("/booking/v1/providers/{provider_id}/reservations", {
          params: { path: { provider_id: providerId }, query: { limit: 50, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [providerId, cursor, changes],
  );
  return (
    <section class="panel" aria-labelledby="appointments-heading">
      <h3 id="appointments-heading">Coming appointments</h3>
      {list.loading && !list.data && <Loading what="appointments" />}
      <ErrorNotice error={list.error} />
      {list.data && list.data.reservations.length === 0 && <Empty>No appointments coming.</Empty>}
      <ErrorNotice error={cancel.error} />
      <ul class="rows">
        {list.data?.reservations.map((r) => (
          <li key={r.reservation_id}>
            <span>
              {dayLabel(dayOf(r.start_time))} {clock(r.start_time)} · {r.client_first_name} {r.client_last_name} · {r.status}
            </span>
            {cancelling === r.reservation_id ? (
              <form
                class="move"
                aria-label="Cancel appointment"
                onSubmit={(e) => {
                  e.preventDefault();
                  void cancel
                    .run(() =>
                      ok(
                        api.DELETE("/booking/v1/reservations/{reservation_id}", {
                          params: { path: { reservation_id: r.reservation_id } },
                          body: reason.trim() ? { reason: reason.trim() } : {},
                        }),
                      ),
                    )
                    .then((done) => {
                      if (done) {
                        setCancelling(undefined);
                        setReason("");
                        onChange();
                      }
                    });
                }}
              >
                <Field label="Reason for the client" name={`reason-${r.reservation_id}`} value={reason} onValue={setReason} maxLength={500} />
                <button type="submit" disabled={cancel.busy}>
                  Cancel appointment
                </button>{" "}
                <button type="button" class="secondary" onClick={() => setCancelling(undefined)}>
                  Keep it
                </button>
              </form>
            ) : (
              <button type="button" class="secondary" onClick={() => setCancelling(r.reservation_id)}>
                Cancel…
              </button>
            )}
          </li>
        ))}
      </ul>
      <Pager next={list.data?.next_cursor} atStart={!cursor} onNext={setCursor} onFirst={() => setCursor(undefined)} />
    </section>
  );
}

function FreeSlots({ providerId, changes, onChange }: { providerId: string; changes: number; onChange: () => void }) {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const slots = useLoad(
    () =>
      ok(
        api.GET("/booking/v1/providers/{provider_id}/availability", {
          params: { path: { provider_id: providerId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [providerId, cursor, changes],
  );
  const remove = useAction();
  // Before the provider's profile exists, the public listing does not know them: nothing is free.
  const noProfile = slots.failure instanceof ApiError && slots.failure.code === "provider_not_found";
  return (
    <section class="panel" aria-labelledby="free-heading">
      <h3 id="free-heading">Free slots</h3>
      {slots.loading && !slots.data && <Loading what="slots" />}
      <ErrorNotice error={noProfile ? remove.error : (slots.error ?? remove.error)} />
      {((slots.data && slots.data.slots.length === 0) || noProfile) && <Empty>No free slots.</Empty>}
      {byDay(slots.data?.slots ?? []).map(([day, list]) => (
        <div key={day} class="day">
          <h4>{dayLabel(day)}</h4>
          <ul class="times">
            {list.map((slot) => (
              <li key={slot.slot_id}>
                <span>{clock(slot.start_time)}</span>{" "}
                <button
                  type="button"
                  class="secondary small"
                  disabled={remove.busy}
                  aria-label={`Delete ${dayLabel(day)} ${clock(slot.start_time)}`}
                  onClick={() =>
                    void remove
                      .run(() =>
                        ok(
                          api.DELETE("/booking/v1/providers/{provider_id}/slots/{slot_id}", {
                            params: { path: { provider_id: providerId, slot_id: slot.slot_id } },
                          }),
                        ),
                      )
                      .then((done) => done && onChange())
                  }
                >
                  Delete
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
      <Pager next={slots.data?.next_cursor} atStart={!cursor} onNext={setCursor} onFirst={() => setCursor(undefined)} />
    </section>
  );
}
