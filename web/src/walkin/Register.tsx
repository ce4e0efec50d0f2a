// Registering a customer at the desk (staff only: only staff set VIP), shown with the customer id
// that removing them from the registry asks for.
import { useState } from "preact/hooks";
import { type Schemas, api, ok } from "../api/client";
import { Field } from "../components/Field";
import { ErrorNotice, Info } from "../components/Notice";
import { useAction } from "../components/useLoad";

export function Register() {
  const [first, setFirst] = useState("");
  const [last, setLast] = useState("");
  const [phone, setPhone] = useState("");
  const [email, setEmail] = useState("");
  const [vip, setVip] = useState(false);
  const [notify, setNotify] = useState<"sms" | "email" | "none">("sms");
  const [done, setDone] = useState<Schemas["Customer"] | undefined>(undefined);
  const action = useAction();
  const submit = async () => {
    setDone(undefined);
    const customer = await action.run(() =>
      ok(
        api.POST("/walkin/v1/customers", {
          body: {
            first_name: first.trim(),
            last_name: last.trim(),
            phone_number: phone.trim(),
            ...(email.trim() ? { email: email.trim() } : {}),
            vip,
            notify,
          },
        }),
      ),
    );
    if (customer) {
      setDone(customer);
      setFirst("");
      setLast("");
      setPhone("");
      setEmail("");
      setVip(false);
      setNotify("sms");
    }
  };
  return (
    <section class="panel" aria-labelledby="register-heading">
      <h2 id="register-heading">Register a customer</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field label="First name" name="reg_first_name" value={first} onValue={setFirst} required maxLength={50} />
        <Field label="Last name" name="reg_last_name" value={last} onValue={setLast} required maxLength={50} />
        <Field label="Phone number" name="reg_phone" type="tel" value={phone} onValue={setPhone} required />
        <Field label="Email (optional)" name="reg_email" type="email" value={email} onValue={setEmail} />
        <div class="field">
          <label for="reg-notify">Tell them when their turn nears</label>
          <select id="reg-notify" value={notify} onChange={(e) => setNotify(e.currentTarget.value as "sms" | "email" | "none")}>
            <option value="sms">By SMS</option>
            <option value="email">By email</option>
            <option value="none">Not at all</option>
          </select>
        </div>
        <div class="check">
          <input id="reg-vip" type="checkbox" checked={vip} onChange={(e) => setVip(e.currentTarget.checked)} />
          <label for="reg-vip">VIP</label>
        </div>
        <ErrorNotice error={action.error} />
        {done && (
          <Info>
            {done.first_name} {done.last_name} is registered{done.vip ? " as VIP" : ""}. Customer id: <CustomerId id={done.customer_id} />
          </Info>
        )}
        <button type="submit" disabled={action.busy}>
          Register
        </button>
      </form>
    </section>
  );
}

/** A customer id, selected whole with one click (to copy it into the removal form). */
export function CustomerId({ id }: { id: string }) {
  return <code class="secret select-all">{id}</code>;
}
