// Deleting all of one's alert data (every alert, what their emails carried, the insight-email
// preference): asked twice, as deleting one alert is.
import { useState } from "preact/hooks";
import { api, ok } from "../api/client";
import { ErrorNotice } from "../components/Notice";
import { useAction } from "../components/useLoad";

export function DeleteAll({ onDeleted }: { onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const action = useAction();
  const erase = async () => {
    const done = await action.run(() => ok(api.DELETE("/alerts/v1/me")));
    if (done) {
      setConfirming(false);
      onDeleted();
    }
  };
  return (
    <section class="panel danger-zone" aria-labelledby="delete-all-heading">
      <h2 id="delete-all-heading">Your alert data</h2>
      <p class="small">
        Delete every alert you have, what their emails carried and your insight-email choice; nothing more is mailed to you. Price history
        belongs to a search phrase, not to you, and stays.
      </p>
      {confirming && <p>This cannot be undone.</p>}
      <div class="buttons">
        {confirming ? (
          <>
            <button type="button" class="danger" disabled={action.busy} onClick={() => void erase()}>
              Delete all my alerts and preferences for good
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>
              Keep them
            </button>
          </>
        ) : (
          <button type="button" class="secondary" onClick={() => setConfirming(true)}>
            Delete all my alert data
          </button>
        )}
      </div>
      <ErrorNotice error={action.error} />
    </section>
  );
}
