// The fields of an alert, for a new one and for a change: each refusal, the console's or the
// API's, shown at its field; anything else above the button.
import { Choice } from "../components/Choice";
import { Field } from "../components/Field";
import { ErrorNotice } from "../components/Notice";
import { Select } from "../components/Select";
import { type AlertField, type AlertForm as Form, CURRENCIES, type Errors, FREQUENCIES } from "../lib/forms";

const NOTIFY_CHOICES = [
  { value: "every_run", label: "After every search", hint: "The cheapest listings each time, when there are any." },
  { value: "changes", label: "Only when the listings change", hint: "A new listing, or one now cheaper than in the last email." },
] as const;

type Props = {
  /** Distinguishes the fields' ids when several forms are on the page. */
  idPrefix: string;
  form: Form;
  onForm: (form: Form) => void;
  errors: Errors<AlertField>;
  busy: boolean;
  submit: string;
  /** A change cannot move an alert to another currency. */
  withCurrency: boolean;
  onSubmit: () => void;
  onCancel?: () => void;
};

export function AlertFields({ idPrefix, form, onForm, errors, busy, submit, withCurrency, onSubmit, onCancel }: Props) {
  const set = (key: keyof Form) => (value: string) => onForm({ ...form, [key]: value });
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <Field
        label="Search for"
        name={`${idPrefix}-phrase`}
        value={form.search_phrase}
        onValue={set("search_phrase")}
        error={errors.search_phrase}
        hint="The words you would type in the marketplace's search box."
        maxLength={100}
        required
      />
      <Select
        label="Search every"
        name={`${idPrefix}-frequency`}
        value={form.frequency_minutes}
        onValue={set("frequency_minutes")}
        error={errors.frequency_minutes}
        options={FREQUENCIES.map((m) => ({ value: String(m), label: `${m} minutes` }))}
      />
      <Choice
        legend="Email me"
        name={`${idPrefix}-notify`}
        value={form.notify_on}
        onValue={set("notify_on")}
        error={errors.notify_on}
        options={NOTIFY_CHOICES}
      />
      <div class="pair">
        <Field
          label="Maximum price (optional)"
          name={`${idPrefix}-max`}
          value={form.max_price}
          onValue={set("max_price")}
          error={errors.max_price}
          hint="Only listings at or below it, shipping included."
          inputMode="decimal"
        />
        <Field
          label="Target price (optional)"
          name={`${idPrefix}-target`}
          value={form.target_price}
          onValue={set("target_price")}
          error={errors.target_price}
          hint="A listing at or below it sends a price-drop email at once."
          inputMode="decimal"
        />
      </div>
      {withCurrency && (
        <Select
          label="Currency"
          name={`${idPrefix}-currency`}
          value={form.currency}
          onValue={set("currency")}
          error={errors.currency}
          options={CURRENCIES.map((c) => ({ value: c, label: c }))}
        />
      )}
      <ErrorNotice error={errors.form} />
      <div class="buttons">
        <button type="submit" disabled={busy}>
          {submit}
        </button>
        {onCancel && (
          <button type="button" class="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
