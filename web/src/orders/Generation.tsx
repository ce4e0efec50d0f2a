// Whether orders are being generated (staff and admins); admins start and stop it. A refusal
// (a user whose admin rights were taken away since they signed in) is shown as the API says it.
import { api, ok } from "../api/client";
import { ErrorNotice, Loading } from "../components/Notice";
import { useAction, useLoad } from "../components/useLoad";

export function Generation({ admin }: { admin: boolean }) {
  const state = useLoad(() => ok(api.GET("/orders/v1/generation")), []);
  const action = useAction();
  const running = state.data?.running;
  const flip = () =>
    void action
      .run(() => (running ? ok(api.POST("/orders/v1/generation/stop")) : ok(api.POST("/orders/v1/generation/start"))))
      .then(() => state.reload());
  return (
    <section class="panel" aria-labelledby="generation-heading">
      <h2 id="generation-heading">Order generation</h2>
      {state.loading && !state.data && <Loading what="the generation state" />}
      <ErrorNotice error={state.error} />
      {state.data && (
        <p>
          <strong>{state.data.running ? "Running" : "Stopped"}</strong>
          {state.data.running ? `: ${state.data.orders_per_minute} orders a minute are generated.` : `: no orders are generated (${state.data.orders_per_minute} a minute when running).`}
        </p>
      )}
      {admin && state.data && (
        <button type="button" disabled={action.busy} onClick={flip}>
          {running ? "Stop generating orders" : "Start generating orders"}
        </button>
      )}
      <ErrorNotice error={action.error} />
    </section>
  );
}
