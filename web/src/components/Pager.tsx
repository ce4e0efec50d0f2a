// Pages of a listing by the API's cursors: the first page, then "Next page" while the API gives a
// next_cursor; "First page" goes back to the start.
export function Pager({
  next,
  atStart,
  onNext,
  onFirst,
}: {
  next: string | undefined;
  atStart: boolean;
  onNext: (cursor: string) => void;
  onFirst: () => void;
}) {
  if (!next && atStart) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {!atStart && (
        <button type="button" class="secondary" onClick={onFirst}>
          First page
        </button>
      )}
      {next && (
        <button type="button" onClick={() => onNext(next)}>
          Next page
        </button>
      )}
    </nav>
  );
}
