// The insight-email preference: one switch, saved when flipped, its state read back from the API.
import { api, ok } from "../api/client";
import { ErrorNotice, Loading } from "../components/Notice";
import { useAction, useLoad } from "../components/useLoad";

export function Preferences() {
  const prefs = useLoad(() => ok(api.GET("/alerts/v1/preferences")), []);
  const save = useAction();
  const on = prefs.data?.insights;
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
            checked={on}
            disabled={save.busy}
            onChange={(e) => {
              const insights = e.currentTarget.checked;
              void save.run(() => ok(api.PATCH("/alerts/v1/preferences", { body: { insights } }))).then(() => prefs.reload());
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
