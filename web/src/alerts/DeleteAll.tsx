// Deleting all of one's alert data (every alert, what their emails carried, the insight-email
// preference): asked twice, as deleting one alert is.
import { api, ok } from "../api/client";
import { ConfirmTwice } from "../components/ConfirmTwice";

export function DeleteAll({ onDeleted }: { onDeleted: () => void }) {
  return (
    <ConfirmTwice
      title="Your alert data"
      ask="Delete all my alert data"
      question="Delete every alert and your insight-email choice?"
      confirm="Delete all my alerts and preferences for good"
      keep="Keep them"
      act={async () => {
        await ok(api.DELETE("/alerts/v1/me"));
        return "All your alert data is deleted: no alerts, no insight-email choice. Nothing more will be emailed to you.";
      }}
      onDone={onDeleted}
    >
      <p class="small">
        Delete every alert you have, what their emails carried and your insight-email choice; nothing more is mailed to you. Price history
        belongs to a search phrase, not to you, and stays.
      </p>
    </ConfirmTwice>
  );
}
