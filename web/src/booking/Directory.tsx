// Providers, and the chosen provider's bookable slots grouped by day in the viewer's time zone.
import { useRef, useState } from "preact/hooks";
import { ApiError, type Schemas, api, idempotencyKey, keepsKey, ok, publicApi } from "../api/client";
import { useSession } from "../auth/session";
import { ErrorNotice, Empty, Loading } from "../components/Notice";
import { Pager } from "../components/Pager";
import { useAction, useLoad } from "../components/useLoad";
import { byDay, clock, dayLabel } from "./time";

type Props = {
  onHold: (r: Schemas["Reservation"]) => void;
  /** The caller has no client profile: ask for it, then `retry`. */
  onNeedProfile: (retry: () => void) => void;
  changes: number;
};

export function Directory({ onHold, onNeedProfile, changes }: Props) {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [chosen, setChosen] = useState<Schemas["DirectoryEntry"] | undefined>(undefined);
  const providers = useLoad(
    () => ok(publicApi.GET("/booking/v1/providers", { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } })),
    [cursor, changes],
  );
  return (
    <section class="panel" aria-labelledby="providers-heading">
      <h2 id="providers-heading">Providers</h2>
      {providers.loading && !providers.data && <Loading what="providers" />}
      <ErrorNotice error={providers.error} />
      {providers.data && providers.data.providers.length === 0 && <Empty>No provider has published a profile yet.</Empty>}
      <ul class="choices">
        {providers.data?.providers.map((p) => (
          <li key={p.provider_id}>
            <button type="button" class={chosen?.provider_id === p.provider_id ? "" : "secondary"} aria-pressed={chosen?.provider_id === p.provider_id} onClick={() => setChosen(p)}>
              {p.first_name} {p.last_name}
            </button>
          </li>
        ))}
      </ul>
      <Pager next={providers.data?.next_cursor} atStart={!cursor} onNext={setCursor} onFirst={() => setCursor(undefined)} />
      {chosen && <Slots provider={chosen} onHold={onHold} onNeedProfile={onNeedProfile} changes={changes} />}
    </section>
  );
}

function Slots({ provider, onHold, onNeedProfile, changes }: Props & { provider: Schemas["DirectoryEntry"] }) {
  const session = useSession();
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  // One key per slot asked for: a double click (or a retry) holds it once.
  const keys = useRef(new Map<string, string>());
  const slots = useLoad(
    () =>
      ok(
        publicApi.GET("/booking/v1/providers/{provider_id}/availability", {
          params: { path: { provider_id: provider.provider_id }, query: { limit: 200, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [provider.provider_id, cursor, changes],
  );
  const reserve = useAction();
  const book = async (slotId: string) => {
    const key = keys.current.get(slotId) ?? idempotencyKey();
    keys.current.set(slotId, key);
    const held = await reserve.run(() =>
      ok(api.POST("/booking/v1/reservations", { params: { header: { "Idempotency-Key": key } }, body: { slot_id: slotId } })).catch(
        (err: unknown) => {
          if (!keepsKey(err)) keys.current.delete(slotId);
          if (err instanceof ApiError && err.code === "client_profile_required") {
            onNeedProfile(() => void book(slotId));
            return undefined;
          }
          throw err;
        },
      ),
    );
    if (held) {
      keys.current.delete(slotId);
      onHold(held);
      slots.reload();
    }
  };
  const days = byDay(slots.data?.slots ?? []);
  return (
    <div class="slots">
      <h3>
        Bookable times with {provider.first_name} {provider.last_name}
      </h3>
      <p class="small">Times are in your time zone ({Intl.DateTimeFormat().resolvedOptions().timeZone}).</p>
      {slots.loading && !slots.data && <Loading what="times" />}
      <ErrorNotice error={slots.error} />
      <ErrorNotice error={reserve.error} />
      {!session && slots.data && slots.data.slots.length > 0 && (
        <p>
          <a href="/console/signin?next=%2Fconsole%2Fbooking">Sign in</a> to book a time.
        </p>
      )}
      {slots.data && slots.data.slots.length === 0 && <Empty>No bookable times.</Empty>}
      {days.map(([day, list]) => (
        <div key={day} class="day">
          <h4>{dayLabel(day)}</h4>
          <ul class="times">
            {list.map((slot) => (
              <li key={slot.slot_id}>
                <button type="button" disabled={!session || reserve.busy} onClick={() => void book(slot.slot_id)} aria-label={`Book ${dayLabel(day)} at ${clock(slot.start_time)}`}>
                  {clock(slot.start_time)}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
      <Pager next={slots.data?.next_cursor} atStart={!cursor} onNext={setCursor} onFirst={() => setCursor(undefined)} />
    </div>
  );
}
