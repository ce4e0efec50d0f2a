// What a kiosk keeps on its own device: a random device id (X-Device-Id, so that its
// Idempotency-Keys are never another device's) and the ticket it issued with its cancel token,
// so that a reload still shows the ticket and can leave the queue.
export type KeptTicket = { service_id: number; cancel_token: string };

const DEVICE_KEY = "kiosk.device";
const TICKET_KEY = "kiosk.ticket";

export function deviceId(): string {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    id = crypto.randomUUID().replaceAll("-", "");
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

export function keptTicket(): KeptTicket | undefined {
  try {
    const kept = JSON.parse(localStorage.getItem(TICKET_KEY) ?? "null") as KeptTicket | null;
    return kept && Number.isInteger(kept.service_id) && typeof kept.cancel_token === "string" ? kept : undefined;
  } catch {
    return undefined;
  }
}

export function keepTicket(ticket: KeptTicket | undefined) {
  if (ticket) localStorage.setItem(TICKET_KEY, JSON.stringify(ticket));
  else localStorage.removeItem(TICKET_KEY);
}
