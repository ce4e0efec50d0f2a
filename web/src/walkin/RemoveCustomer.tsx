// Removing a customer from the registry (staff, at the customer's request), asked twice: a
// waiting ticket of theirs is cancelled first, then their entry and past tickets go.
import { useState } from "preact/hooks";
import { ApiError, api, ok } from "../api/client";
import { ConfirmTwice } from "../components/ConfirmTwice";
import { Field } from "../components/Field";
import { customerIdProblem } from "./format";

export function RemoveCustomer() {
  const [id, setId] = useState("");
  const remove = async () => {
    const customerId = id.trim();
    try {
      await ok(api.DELETE("/walkin/v1/customers/{customer_id}", { params: { path: { customer_id: customerId } } }));
    } catch (err) {
      if (err instanceof ApiError && err.code === "customer_not_found") {
        throw new Error(`No registered customer has the id ${customerId}: removed already, or mistyped.`);
      }
      throw err;
    }
    setId("");
    return `Customer ${customerId} is removed from the registry with their past tickets; a ticket of theirs that was waiting is cancelled.`;
  };
  return (
    <ConfirmTwice
      title="Remove a customer"
      ask="Remove customer"
      question={`Remove customer ${id.trim()} from the registry?`}
      confirm="Remove them for good"
      keep="Keep them"
      check={() => customerIdProblem(id)}
      act={remove}
    >
      <p class="small">At the customer's request. To check in again they would have to be registered again.</p>
      <Field label="Customer id" name="remove_customer_id" value={id} onValue={setId} autoComplete="off" spellcheck={false} />
    </ConfirmTwice>
  );
}
