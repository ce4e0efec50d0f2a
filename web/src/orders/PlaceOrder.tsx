// Place an order (one Idempotency-Key per order, kept for a retry when no answer came), then watch
// it until it is processed: looked at again after 0.5 s, then less and less often (at most every
// 5 s), stopping when it is processed, after two minutes, or when the view closes.
import { useEffect, useRef, useState } from "preact/hooks";
import { type Schemas, api, idempotencyKey, keepsKey, messageOf, ok } from "../api/client";
import { Field } from "../components/Field";
import { ErrorNotice } from "../components/Notice";
import { type Errors, type OrderForm, backoff, hasErrors, orderBody, orderErrors } from "../lib/forms";
import { money } from "../lib/chart";

type Order = Schemas["Order"];

const WATCH_MS = 120_000;

export function PlaceOrder({ onChange }: { onChange: () => void }) {
  const [form, setForm] = useState<OrderForm>({ quantity: "1", symbol: "" });
  const [errors, setErrors] = useState<Errors<"quantity" | "symbol">>({});
  const [busy, setBusy] = useState(false);
  const [order, setOrder] = useState<Order | undefined>(undefined);
  const [watching, setWatching] = useState<string | undefined>(undefined);
  const key = useRef<string>(idempotencyKey());
  const place = async () => {
    const found = orderErrors(form);
    setErrors(found);
    if (hasErrors(found)) return;
    setBusy(true);
    try {
      const placed = await ok(api.POST("/orders/v1/orders", { params: { header: { "Idempotency-Key": key.current } }, body: orderBody(form) }));
      key.current = idempotencyKey();
      setOrder(placed);
      onChange();
    } catch (err) {
      if (!keepsKey(err)) key.current = idempotencyKey();
      setErrors({ form: messageOf(err) });
    } finally {
      setBusy(false);
    }
  };
  useWatch(order, setOrder, setWatching, onChange);
  return (
    <section class="panel" aria-labelledby="place-heading">
      <h2 id="place-heading">Place an order</h2>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void place();
        }}
      >
        <div class="pair">
          <Field
            label="Quantity"
            name="quantity"
            type="number"
            min={1}
            max={10}
            value={form.quantity}
            onValue={(quantity) => setForm({ ...form, quantity })}
            error={errors.quantity}
            hint="1 to 10."
          />
          <Field
            label="Symbol (optional)"
            name="symbol"
            value={form.symbol}
            onValue={(symbol) => setForm({ ...form, symbol })}
            error={errors.symbol}
            hint="3 letters or digits; one is picked for you if empty."
            maxLength={3}
            autoComplete="off"
          />
        </div>
        <ErrorNotice error={errors.form} />
        <button type="submit" disabled={busy}>
          Place order
        </button>
      </form>
      {order && (
        <div class="order-watch" role="status">
          {order.status === "processed" ? (
            <p>
              <strong>Processed:</strong> {order.quantity} × {order.symbol} for {money(order.execution_price, "USD")}.
            </p>
          ) : (
            <p>
              <strong>Queued:</strong> {order.quantity} × {order.symbol}. {watching === order.order_id ? "Waiting for it to be processed…" : "Not processed yet; it shows in My orders when it is."}
            </p>
          )}
        </div>
      )}
      {!order && <p class="small">Orders are processed within seconds; this page follows yours.</p>}
    </section>
  );
}

/** Follows a queued order until it is processed (with backoff), then tells the page. */
function useWatch(order: Order | undefined, setOrder: (o: Order) => void, setWatching: (id: string | undefined) => void, onDone: () => void) {
  const id = order?.status === "queued" ? order.order_id : undefined;
  useEffect(() => {
    if (!id) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const until = Date.now() + WATCH_MS;
    setWatching(id);
    const look = async (attempt: number) => {
      if (stopped) return;
      try {
        const now = await ok(api.GET("/orders/v1/orders/{order_id}", { params: { path: { order_id: id } } }));
        if (stopped) return;
        if (now.status === "processed") {
          setOrder(now);
          setWatching(undefined);
          onDone();
          return;
        }
      } catch {
        // A failed look is retried like a queued answer; the deadline still holds.
      }
      if (Date.now() + backoff(attempt) > until) return setWatching(undefined);
      timer = setTimeout(() => void look(attempt + 1), backoff(attempt));
    };
    timer = setTimeout(() => void look(1), backoff(0));
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);
}
