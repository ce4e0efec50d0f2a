// One choice of a few, as radio buttons in a fieldset named by its legend (each option with a
// label, and an optional hint under it); the error beside it, as Field and Select do.
type Props = {
  legend: string;
  name: string;
  value: string;
  options: readonly { value: string; label: string; hint?: string }[];
  onValue: (value: string) => void;
  error?: string | undefined;
  disabled?: boolean;
};

export function Choice({ legend, name, value, options, onValue, error, disabled }: Props) {
  const id = `field-${name}`;
  return (
    <fieldset class="field choice" aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <div class="check" key={o.value}>
          <input
            id={`${id}-${o.value}`}
            type="radio"
            name={name}
            value={o.value}
            checked={value === o.value}
            disabled={disabled}
            aria-describedby={o.hint ? `${id}-${o.value}-hint` : undefined}
            onChange={() => onValue(o.value)}
          />
          <span>
            <label for={`${id}-${o.value}`}>{o.label}</label>
            {o.hint && (
              <small id={`${id}-${o.value}-hint`} class="hint">
                {o.hint}
              </small>
            )}
          </span>
        </div>
      ))}
      {error && (
        <small id={`${id}-error`} class="field-error">
          {error}
        </small>
      )}
    </fieldset>
  );
}
