// A deletion that cannot be undone, asked twice: a first button asks, then the question with the
// final button (red) and a way back. The result is shown in words: the action's own message when
// it is done, or the API's message (or the caller's wording of it) when it is refused. Fields
// (the id of what to delete) may come with it; they are locked while the question is asked, so
// what is deleted is what was asked about.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ErrorNotice, Info } from "./Notice";
import { useAction } from "./useLoad";

type Props = {
  /** The heading of the panel (its region's name). */
  title: string;
  /** `h2` in a view, `h3` inside a section that has its own `h2`. */
  level?: 2 | 3;
  /** What is deleted and what stays, in a sentence or two (and any fields). */
  children: ComponentChildren;
  /** The first button's words ("Delete my booking data"). */
  ask: string;
  /** The question shown once asked; "This cannot be undone." follows it. */
  question: string;
  /** The final button's words ("Delete my booking data for good"). */
  confirm: string;
  /** The way back's words ("Keep it"). */
  keep: string;
  /** Checks the fields before asking: a reason in words not to ask, or nothing. */
  check?: () => string | undefined;
  /** Deletes, and answers what to tell the user it did; a throw is shown as its message. */
  act: () => Promise<string>;
  /** Called once the deletion is done (to read the view again). */
  onDone?: () => void;
};

export function ConfirmTwice({ title, level = 2, children, ask, question, confirm, keep, check, act, onDone }: Props) {
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | undefined>(undefined);
  const action = useAction();
  // Once asked, focus goes to the way back: a stray Enter keeps the data.
  const keepButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) keepButton.current?.focus();
  }, [confirming]);
  const headingId = `confirm-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  const Heading = level === 2 ? "h2" : "h3";
  const start = () => {
    setDone(undefined);
    action.setError(undefined);
    const problem = check?.();
    if (problem) return action.setError(problem);
    setConfirming(true);
  };
  const erase = async () => {
    const message = await action.run(act);
    setConfirming(false);
    if (message !== undefined) {
      setDone(message);
      onDone?.();
    }
  };
  return (
    <section class="panel danger-zone" aria-labelledby={headingId}>
      <Heading id={headingId}>{title}</Heading>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!confirming) start();
        }}
      >
        <fieldset class="plain" disabled={confirming || action.busy}>
          {children}
        </fieldset>
        {confirming && (
          <p class="question">
            <strong>{question}</strong> This cannot be undone.
          </p>
        )}
        <div class="buttons">
          {confirming ? (
            <>
              <button type="button" class="danger" disabled={action.busy} onClick={() => void erase()}>
                {action.busy ? "Deleting…" : confirm}
              </button>
              <button ref={keepButton} type="button" class="secondary" disabled={action.busy} onClick={() => setConfirming(false)}>
                {keep}
              </button>
            </>
          ) : (
            <button type="submit" class="secondary">
              {ask}
            </button>
          )}
        </div>
      </form>
      <ErrorNotice error={action.error} />
      {done && <Info>{done}</Info>}
    </section>
  );
}
