// The insight-email preference: one switch, saved when flipped; it shows what the API answered
// (and goes back, with the error, when the change was refused).
import { useState } from "preact/hooks";
import { api, ok } from "../api/client";
import { ErrorNotice, Loading } from "../components/Notice";
import { useAction, useLoad } from "../components/useLoad";

export function Preferences() {
  const prefs = useLoad(() => ok(api.GET("/alerts/v1/preferences")), []);
  const save = useAction();
  const [saved, setSaved] = useState<boolean | undefined>(undefined);
  const [wanted, setWanted] = useState<boolean | undefined>(undefined);
  const on = saved ?? prefs.data?.insights;
  return (
    <section class="panel" aria-labelledby="prefs-heading">
      <h2 id="prefs-heading">Insight emails</h2>
      <p class="small">A regular email with how prices moved for each of your active alerts, with a chart.</p>
      {prefs.loading && !prefs.data && <Loading what="your preference" />}
      <ErrorNotice error={prefs.error ?? save.error} />
      {on !== undefined && (
        <div class="check">
          <input
            id="insights-switch"
            type="checkbox"
            role="switch"
            checked={wanted ?? on}
            disabled={save.busy}
            onChange={(e) => {
              const insights = e.currentTarget.checked;
              setWanted(insights);
              void save.run(() => ok(api.PATCH("/alerts/v1/preferences", { body: { insights } }))).then((answer) => {
                if (answer) setSaved(answer.insights);
                setWanted(undefined);
              });
            }}
          />
          <label for="insights-switch">Send me insight emails</label>
        </div>
      )}
      {on !== undefined && (
        <p class="small">
          Insight emails are {on ? "on" : "off"}
          {prefs.data?.email ? ` (to ${prefs.data.email})` : ""}.
        </p>
      )}
    </section>
  );
}
