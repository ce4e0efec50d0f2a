// A signed-in user without a client profile is asked for their name once, then goes on.
import { useState } from "preact/hooks";
import { api, ok } from "../api/client";
import { Field } from "../components/Field";
import { ErrorNotice } from "../components/Notice";
import { useAction } from "../components/useLoad";

export function ClientProfile({ onCreated }: { onCreated: () => void }) {
  const [first, setFirst] = useState("");
  const [last, setLast] = useState("");
  const action = useAction();
  return (
    <form
      class="panel"
      aria-labelledby="profile-heading"
      onSubmit={(e) => {
        e.preventDefault();
        void action
          .run(() => ok(api.POST("/booking/v1/clients", { body: { first_name: first.trim(), last_name: last.trim() } })))
          .then((client) => client && onCreated());
      }}
    >
      <h2 id="profile-heading">Your name, once</h2>
      <p>Providers see this name on your appointments.</p>
      <Field label="First name" name="client_first_name" value={first} onValue={setFirst} required maxLength={50} />
      <Field label="Last name" name="client_last_name" value={last} onValue={setLast} required maxLength={50} />
      <ErrorNotice error={action.error} />
      <button type="submit" disabled={action.busy}>
        Save and continue
      </button>
    </form>
  );
}
