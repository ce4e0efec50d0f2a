// Booking (anyone may look; signed in to book): the provider directory and a provider's bookable
// slots by day, a hold confirmed within its time, the client's reservations; and for providers,
// their own tools.
import { useState } from "preact/hooks";
import { mayActAs } from "../auth/claims";
import { useSession } from "../auth/session";
import type { Schemas } from "../api/client";
import { Directory } from "./Directory";
import { HoldPanel } from "./HoldPanel";
import { MyReservations } from "./MyReservations";
import { ProviderTools } from "./ProviderTools";

export function Booking() {
  const session = useSession();
  const [hold, setHold] = useState<Schemas["Reservation"] | undefined>(undefined);
  const [changes, setChanges] = useState(0);
  const changed = () => setChanges((n) => n + 1);
  return (
    <>
      <h1>Booking</h1>
      {hold && (
        <HoldPanel
          hold={hold}
          onDone={() => {
            setHold(undefined);
            changed();
          }}
        />
      )}
      <div class="columns">
        <Directory onHold={(r) => (setHold(r), changed())} changes={changes} />
        {session && <MyReservations changes={changes} onChange={changed} />}
      </div>
      {mayActAs(session?.claims, "provider") && session && <ProviderTools providerId={session.claims.sub} />}
    </>
  );
}
