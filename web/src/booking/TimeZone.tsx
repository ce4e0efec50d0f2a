// The time zone booking emails show times in, kept on the client's or provider's profile.
import { useState } from "preact/hooks";
import { api, ok } from "../api/client";
import { Field } from "../components/Field";
import { ErrorNotice, Info } from "../components/Notice";
import { useAction } from "../components/useLoad";

/** The browser's own IANA zone, offered first. */
function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function TimeZone({ kind }: { kind: "client" | "provider" }) {
  const [zone, setZone] = useState(browserZone());
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const action = useAction();
  const id = `zone-${kind}`;
  return (
    <form
      class="panel"
      aria-labelledby={`${id}-heading`}
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(undefined);
        const body = { time_zone: zone.trim() };
        void action
          .run(
            async (): Promise<{ time_zone: string }> =>
              kind === "client" ? ok(api.PATCH("/booking/v1/clients/me", { body })) : ok(api.PATCH("/booking/v1/providers/me", { body })),
          )
          .then((profile) => profile && setSaved(`Emails show times in ${profile.time_zone}.`));
      }}
    >
      <h3 id={`${id}-heading`}>{kind === "client" ? "Time zone of your emails" : "Time zone of appointment emails"}</h3>
      <Field
        label={kind === "client" ? "Time zone for my emails" : "Time zone for appointment emails"}
        name={id}
        value={zone}
        onValue={setZone}
        required
        hint="An IANA name, such as Europe/Paris or America/New_York."
      />
      <ErrorNotice error={action.error} />
      {saved && <Info>{saved}</Info>}
      <button type="submit" disabled={action.busy}>
        Save time zone
      </button>
    </form>
  );
}
