// Price alerts: a new alert, the insight-email preference, and my alerts page by page, each with
// its last run in words, its changes, pause and resume, delete, its last listings and its price
// insights; the list read again when a run may have happened; all of one's alert data deleted.
import { useMemo, useState } from "preact/hooks";
import { ApiError, type Schemas, api, messageOf, ok } from "../api/client";
import { Gate } from "../components/Layout";
import { ErrorNotice, Empty, Info, Loading } from "../components/Notice";
import { Pager } from "../components/Pager";
import { useAction, useInterval, useLoad, useRefresh } from "../components/useLoad";
import { money } from "../lib/chart";
import { ALERT_FIELDS, type AlertField, type AlertForm, type Errors, alertChange, alertErrors, atField, hasErrors, newAlertBody } from "../lib/forms";
import { AlertFields } from "./AlertForm";
import { DeleteAll } from "./DeleteAll";
import { lastRunInWords, notifyOnInWords, quotaInWords, refreshDelay } from "./format";
import { Insights } from "./Insights";
import { Preferences } from "./Preferences";
import { Products } from "./Products";

type Alert = Schemas["Alert"];

const EMPTY: AlertForm = { search_phrase: "", frequency_minutes: "30", max_price: "", target_price: "", currency: "USD", notify_on: "every_run" };

/** The API's refusal where it belongs: a field's at the field, a phrase taken at the phrase. */
function refusal(err: unknown): Errors<AlertField> {
  if (err instanceof ApiError && err.code === "alert_exists") return { search_phrase: err.message };
  if (err instanceof ApiError && err.code === "quota_exceeded") return { form: quotaInWords(err.message, err.retryAfter, Date.now()) };
  return atField(err, ALERT_FIELDS, messageOf(err));
}

export function Alerts() {
  const [changes, setChanges] = useState(0);
  const [created, setCreated] = useState<string | undefined>(undefined);
  // Bumped when everything was deleted: the list and the preference start afresh.
  const [generation, setGeneration] = useState(0);
  return (
    <Gate need="signed_in">
      <h1>Price alerts</h1>
      <p class="lead">An email with the cheapest listings for your search, as often as you like, and how prices move.</p>
      <div class="columns">
        <NewAlert
          onCreated={(alert) => {
            setCreated(`Alert for “${alert.search_phrase}” created; the first email goes out within about a minute.`);
            setChanges((n) => n + 1);
          }}
        />
        <Preferences key={generation} />
      </div>
      {created && <Info>{created}</Info>}
      <MyAlerts key={generation} changes={changes} />
      <DeleteAll
        onDeleted={() => {
          setCreated(undefined);
          setGeneration((n) => n + 1);
        }}
      />
    </Gate>
  );
}

function NewAlert({ onCreated }: { onCreated: (alert: Alert) => void }) {
  const [form, setForm] = useState<AlertForm>(EMPTY);
  const [errors, setErrors] = useState<Errors<AlertField>>({});
  const [busy, setBusy] = useState(false);
  const create = async () => {
    const found = alertErrors(form);
    setErrors(found);
    if (hasErrors(found)) return;
    setBusy(true);
    try {
      const alert = await ok(api.POST("/alerts/v1/alerts", { body: newAlertBody(form) }));
      setForm(EMPTY);
      onCreated(alert);
    } catch (err) {
      setErrors(refusal(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="new-alert-heading">
      <h2 id="new-alert-heading">New alert</h2>
      <AlertFields idPrefix="new" form={form} onForm={setForm} errors={errors} busy={busy} submit="Create alert" withCurrency onSubmit={() => void create()} />
    </section>
  );
}

function MyAlerts({ changes }: { changes: number }) {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [mine, setMine] = useState(0);
  const list = useLoad(() => ok(api.GET("/alerts/v1/alerts", { params: { query: { limit: 10, ...(cursor ? { cursor } : {}) } } })), [cursor, changes, mine]);
  // Runs happen on the server: read the list again a little after the next one is due, and when
  // the page is looked at again; "5 min ago" moves on with the clock in between.
  const [, setTick] = useState(0);
  useInterval(() => setTick((n) => n + 1), 30_000);
  const refreshAt = useMemo(() => {
    const delay = list.data && refreshDelay(list.data.alerts, Date.now());
    return delay === undefined ? undefined : Date.now() + delay;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [list.data, list.failure]);
  useRefresh(list.reload, refreshAt);
  return (
    <section aria-labelledby="my-alerts-heading">
      <h2 id="my-alerts-heading">My alerts</h2>
      {list.loading && !list.data && <Loading what="your alerts" />}
      <ErrorNotice error={list.error} />
      {list.data && list.data.alerts.length === 0 && <Empty>No alerts yet: create one above.</Empty>}
      <ul class="alerts">
        {list.data?.alerts.map((alert) => (
          <AlertCard key={alert.alert_id} alert={alert} now={Date.now()} onChange={() => setMine((n) => n + 1)} />
        ))}
      </ul>
      <Pager next={list.data?.next_cursor} atStart={!cursor} onNext={setCursor} onFirst={() => setCursor(undefined)} />
    </section>
  );
}

function formOf(alert: Alert): AlertForm {
  return {
    search_phrase: alert.search_phrase,
    frequency_minutes: String(alert.frequency_minutes),
    max_price: alert.max_price === undefined ? "" : String(alert.max_price),
    target_price: alert.target_price === undefined ? "" : String(alert.target_price),
    currency: alert.currency,
    notify_on: alert.notify_on,
  };
}

const STATUS: Record<Alert["status"], string> = { active: "Active", paused: "Paused", unsubscribed: "Unsubscribed (from an email's link)" };

function AlertCard({ alert, now, onChange }: { alert: Alert; now: number; onChange: () => void }) {
  const [open, setOpen] = useState<"edit" | "products" | "insights" | undefined>(undefined);
  const [form, setForm] = useState<AlertForm>(formOf(alert));
  const [errors, setErrors] = useState<Errors<AlertField>>({});
  const [confirming, setConfirming] = useState(false);
  const action = useAction();
  const id = alert.alert_id;
  const toggle = (what: typeof open) => setOpen((now) => (now === what ? undefined : what));
  const patch = (body: Schemas["AlertChange"]) => ok(api.PATCH("/alerts/v1/alerts/{alert_id}", { params: { path: { alert_id: id } }, body }));
  const save = async () => {
    const found = alertErrors(form);
    setErrors(found);
    if (hasErrors(found)) return;
    const change = alertChange(formOf(alert), form);
    if (Object.keys(change).length === 0) return setOpen(undefined);
    try {
      await patch(change);
      setOpen(undefined);
      onChange();
    } catch (err) {
      setErrors(refusal(err));
    }
  };
  const headingId = `alert-${id}`;
  return (
    <li class="panel alert" aria-labelledby={headingId}>
      <div class="alert-head">
        <h3 id={headingId}>{alert.search_phrase}</h3>
        <span class={`status status-${alert.status}`}>{STATUS[alert.status]}</span>
      </div>
      <p class="small">
        Every {alert.frequency_minutes} minutes · {alert.currency}
        {alert.max_price !== undefined && ` · at most ${money(alert.max_price, alert.currency)}`}
        {alert.target_price !== undefined && ` · target ${money(alert.target_price, alert.currency)}`}
        {` · ${notifyOnInWords(alert.notify_on)}`}
      </p>
      <p class="small last-run">{lastRunInWords(alert, now)}</p>
      <div class="buttons">
        <button type="button" class="secondary" aria-expanded={open === "products"} onClick={() => toggle("products")}>
          Listings
        </button>
        <button type="button" class="secondary" aria-expanded={open === "insights"} onClick={() => toggle("insights")}>
          Insights
        </button>
        <button
          type="button"
          class="secondary"
          aria-expanded={open === "edit"}
          onClick={() => {
            setForm(formOf(alert));
            setErrors({});
            toggle("edit");
          }}
        >
          Edit
        </button>
        {alert.status !== "unsubscribed" && (
          <button
            type="button"
            class="secondary"
            disabled={action.busy}
            onClick={() => void action.run(() => patch({ status: alert.status === "active" ? "paused" : "active" })).then((done) => done && onChange())}
          >
            {alert.status === "active" ? "Pause" : "Resume"}
          </button>
        )}
        {confirming ? (
          <>
            <button
              type="button"
              class="danger"
              disabled={action.busy}
              onClick={() =>
                void action.run(() => ok(api.DELETE("/alerts/v1/alerts/{alert_id}", { params: { path: { alert_id: id } } }))).then((done) => done && onChange())
              }
            >
              Delete “{alert.search_phrase}” for good
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" class="secondary" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
      </div>
      <ErrorNotice error={action.error} />
      {open === "edit" && (
        <AlertFields
          idPrefix={`edit-${id}`}
          form={form}
          onForm={setForm}
          errors={errors}
          busy={action.busy}
          submit="Save changes"
          withCurrency={false}
          onSubmit={() => void save()}
          onCancel={() => setOpen(undefined)}
        />
      )}
      {open === "products" && <Products alertId={id} />}
      {open === "insights" && <Insights alertId={id} />}
    </li>
  );
}
