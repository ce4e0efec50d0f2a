// Deleting one's own booking data, asked twice: a client's reservations and name, or a
// provider's profile, slots and appointments. Live ones are cancelled first, and the other side
// is told, as with any cancellation.
import { api, ok } from "../api/client";
import { ConfirmTwice } from "../components/ConfirmTwice";

/** `provider`: the user has a provider's tools too (and their profile stays). */
export function DeleteClientData({ provider, onDeleted }: { provider: boolean; onDeleted: () => void }) {
  return (
    <ConfirmTwice
      title={provider ? "Your booking data as a client" : "Your booking data"}
      ask="Delete my booking data"
      question="Cancel your coming reservations and delete them all, with your name?"
      confirm="Delete my booking data for good"
      keep="Keep it"
      act={async () => {
        await ok(api.DELETE("/booking/v1/clients/me"));
        return "Your booking data is deleted: your coming reservations were cancelled (their providers are told), and your reservations and name are gone. Your next booking asks for your name again.";
      }}
      onDone={onDeleted}
    >
      <p class="small">
        Cancels your held and confirmed reservations (providers are told, as with any cancellation), then deletes all your reservations and
        the name providers see. Your sign-in stays{provider ? ", and so does your provider profile" : ""}.
      </p>
    </ConfirmTwice>
  );
}

export function DeleteProviderData({ onDeleted }: { onDeleted: () => void }) {
  return (
    <ConfirmTwice
      title="Your provider profile"
      level={3}
      ask="Delete my provider profile"
      question="Cancel your coming appointments and delete your profile, slots and directory entry?"
      confirm="Delete my provider profile for good"
      keep="Keep it"
      act={async () => {
        await ok(api.DELETE("/booking/v1/providers/me"));
        return "Your provider profile is deleted: your coming appointments were cancelled (their clients are told), and your slots and directory entry are gone. Publishing again asks for your name.";
      }}
      onDone={onDeleted}
    >
      <p class="small">
        Cancels your held and confirmed appointments (each client is told, as when you cancel one), then deletes your free slots, your entry
        in the directory and your provider profile. Your sign-in and your provider group stay.
      </p>
    </ConfirmTwice>
  );
}
