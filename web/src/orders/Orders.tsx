// Orders: place one and watch it until it is processed, my orders page by page; staff and admins
// also see the processing metrics and whether orders are being generated, and admins start and
// stop the generation.
import { useState } from "preact/hooks";
import { useSession } from "../auth/session";
import { mayActAs } from "../auth/claims";
import { Gate } from "../components/Layout";
import { Generation } from "./Generation";
import { Metrics } from "./Metrics";
import { MyOrders } from "./MyOrders";
import { PlaceOrder } from "./PlaceOrder";

export function Orders() {
  const claims = useSession()?.claims;
  const [changes, setChanges] = useState(0);
  const changed = () => setChanges((n) => n + 1);
  const staff = mayActAs(claims, "staff");
  return (
    <Gate need="signed_in">
      <h1>Orders</h1>
      <div class="columns">
        <PlaceOrder onChange={changed} />
        <MyOrders changes={changes} />
      </div>
      {staff && (
        <div class="columns">
          <Metrics changes={changes} />
          <Generation admin={mayActAs(claims, "admin")} />
        </div>
      )}
    </Gate>
  );
}
