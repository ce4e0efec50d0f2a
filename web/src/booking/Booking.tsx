// Booking (anyone may look; signed in to book): the provider directory and a provider's bookable
// slots by day, a hold confirmed within its time, the client's reservations; and for providers,
// their own tools; and deleting one's own booking data.
import { useState } from "preact/hooks";
import { mayActAs } from "../auth/claims";
import { useSession } from "../auth/session";
import type { Schemas } from "../api/client";
import { ClientProfile } from "./ClientProfile";
import { DeleteClientData } from "./DeleteData";
import { Directory } from "./Directory";
import { HoldPanel } from "./HoldPanel";
import { MyReservations } from "./MyReservations";
import { ProviderTools } from "./ProviderTools";
import { TimeZone } from "./TimeZone";

export function Booking() {
  const session = useSession();
  const [hold, setHold] = useState<Schemas["Reservation"] | undefined>(undefined);
  const [changes, setChanges] = useState(0);
  const changed = () => setChanges((n) => n + 1);
  // A signed-in user without a client profile is asked for their name once, at their first
  // booking, which goes on after.
  const [needProfile, setNeedProfile] = useState<{ retry: () => void } | undefined>(undefined);
  return (
    <>
      <h1>Booking</h1>
      {hold && (
        <HoldPanel
          hold={hold}
          onConfirmed={changed}
          onDone={() => {
            setHold(undefined);
            changed();
          }}
        />
      )}
      {needProfile && (
        <ClientProfile
          onCreated={() => {
            const retry = needProfile.retry;
            setNeedProfile(undefined);
            changed();
            retry();
          }}
        />
      )}
      <div class="columns">
        <Directory onHold={(r) => (setHold(r), changed())} onNeedProfile={(retry) => setNeedProfile({ retry })} changes={changes} />
        {session && <MyReservations changes={changes} onChange={changed} />}
      </div>
      {session && <TimeZone kind="client" />}
      {session && (
        <DeleteClientData
          provider={mayActAs(session.claims, "provider")}
          onDeleted={() => {
            setHold(undefined);
            setNeedProfile(undefined);
            changed();
          }}
        />
      )}
      {mayActAs(session?.claims, "provider") && session && <ProviderTools providerId={session.claims.sub} onDeleted={changed} />}
    </>
  );
}
