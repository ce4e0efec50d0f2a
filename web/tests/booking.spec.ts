// Booking: a provider publishes availability; a client books one of its slots, confirms it
// within the hold, and sees it among their reservations.
import { type Page, expect, test } from "@playwright/test";
import { dayFromNow, freshPage, shots, signIn } from "./support";

test("a provider publishes availability and a client books and confirms a slot", async ({ browser }) => {
  const provider = await freshPage(browser);
  await signIn(provider, "provider", "/console/booking");
  await expect(provider.getByRole("heading", { name: "Your practice" })).toBeVisible();
  await provider.getByLabel("Day").fill(dayFromNow(3));
  await provider.getByLabel("From").fill("09:00");
  await provider.getByLabel("To").fill("10:00");
  await provider.getByLabel("Slot length").selectOption("30");
  await provider.getByRole("button", { name: "Publish" }).click();
  // A provider without a profile is asked for the name shown in the directory, once.
  await expect(provider.getByRole("alert")).toContainText("Publish your name first");
  await provider.getByLabel("Your first name").fill("Pat");
  await provider.getByLabel("Your last name").fill("Lee");
  await provider.getByRole("button", { name: "Publish" }).click();
  await expect(provider.getByText("2 new slots published.")).toBeVisible();
  await shots(provider, "booking-provider");

  const client = await freshPage(browser);
  await signIn(client, "client", "/console/booking");
  await client.getByRole("button", { name: "Pat Lee" }).click();
  await expect(client.getByRole("heading", { name: "Bookable times with Pat Lee" })).toBeVisible();
  await shots(client, "booking-slots");
  // A double click holds the slot once (one Idempotency-Key per slot asked for).
  await client.getByRole("button", { name: /^Book .* at / }).first().dblclick();
  // A user without a client profile is asked for a name at the first booking, which goes on.
  await expect(client.getByRole("form", { name: "Your name, once" })).toBeVisible();
  await client.getByLabel("First name").fill("Cam");
  await client.getByLabel("Last name").fill("Ray");
  await client.getByRole("button", { name: "Save and continue" }).click();
  await expect(client.getByRole("heading", { name: "Confirm your booking" })).toBeVisible();
  await expect(client.getByRole("timer")).toHaveText(/^\d+:\d\d$/);
  await shots(client, "booking-hold");
  await client.getByRole("button", { name: "Confirm booking" }).click();
  await expect(client.getByText(/is confirmed/)).toBeVisible();
  await expect(client.getByRole("region", { name: "My reservations" }).getByText("confirmed")).toBeVisible();
  await shots(client, "booking-client");

  // The provider sees the appointment with the client's name.
  await provider.reload();
  await expect(provider.getByText(/Cam Ray · confirmed/)).toBeVisible();
});

test("a client moves an appointment, the provider cancels it with a reason, and both set a time zone", async ({ browser }) => {
  const provider = await freshPage(browser);
  await signIn(provider, "provider", "/console/booking");
  await publishHours(provider, dayFromNow(4), "14:00", "15:00");
  const practiceZone = provider.getByRole("form", { name: "Time zone of appointment emails" });
  await practiceZone.getByLabel("Time zone for appointment emails").fill("America/New_York");
  await practiceZone.getByRole("button", { name: "Save time zone" }).click();
  await expect(provider.getByText("Emails show times in America/New_York.")).toBeVisible();

  const client = await freshPage(browser);
  await signIn(client, "client", "/console/booking");
  const myZone = client.getByRole("form", { name: "Time zone of your emails" });
  await myZone.getByLabel("Time zone for my emails").fill("Mars/Olympus");
  await myZone.getByRole("button", { name: "Save time zone" }).click();
  // A made-up zone is refused with the API's message (or the profile is asked for first).
  await expect(myZone.getByRole("alert")).toContainText(/time_zone|client profile/);
  await bookAndConfirm(client);
  await myZone.getByLabel("Time zone for my emails").fill("Europe/Paris");
  await myZone.getByRole("button", { name: "Save time zone" }).click();
  await expect(client.getByText("Emails show times in Europe/Paris.")).toBeVisible();

  // The client moves it to another free time.
  const mine = client.getByRole("region", { name: "My reservations" });
  await mine.getByRole("button", { name: "Move" }).first().click();
  const move = client.getByRole("form", { name: "Move reservation" });
  await move.getByLabel("New time").selectOption({ index: 1 });
  await move.getByRole("button", { name: "Move here" }).click();
  await expect(move).toBeHidden();
  await shots(client, "booking-moved");

  // The provider cancels it, with a reason the client reads.
  await provider.reload();
  await provider.getByRole("button", { name: "Cancel…" }).first().click();
  const cancel = provider.getByRole("form", { name: "Cancel appointment" });
  await cancel.getByLabel("Reason for the client").fill("The clinic is closed for repairs.");
  await cancel.getByRole("button", { name: "Cancel appointment" }).click();
  await expect(cancel).toBeHidden();
  await client.reload();
  await expect(client.getByText(/cancelled by the provider: The clinic is closed for repairs\./).first()).toBeVisible();
});

test("a client deletes their booking data and a provider their profile, each asked twice", async ({ browser }) => {
  const provider = await freshPage(browser);
  await signIn(provider, "provider", "/console/booking");
  await publishHours(provider, dayFromNow(5), "10:00", "11:00");

  // The client books and confirms one of those times.
  const client = await freshPage(browser);
  await signIn(client, "client", "/console/booking");
  await bookAndConfirm(client);
  const mine = client.getByRole("region", { name: "My reservations" });
  await expect(mine.getByText("confirmed").first()).toBeVisible();
  await provider.reload();
  await expect(provider.getByText(/Cam Ray · confirmed/).first()).toBeVisible();

  // The client deletes their booking data: asked, kept, asked again, deleted.
  const data = client.getByRole("region", { name: "Your booking data" });
  await data.getByRole("button", { name: "Delete my booking data" }).click();
  await expect(data.getByText("This cannot be undone.")).toBeVisible();
  await shots(client, "booking-delete-client");
  await data.getByRole("button", { name: "Keep it" }).click();
  await expect(mine.getByText("confirmed").first()).toBeVisible();
  await data.getByRole("button", { name: "Delete my booking data" }).click();
  await data.getByRole("button", { name: "Delete my booking data for good" }).click();
  await expect(data.getByRole("status")).toContainText("Your booking data is deleted");
  await expect(mine.getByText("No reservations yet.")).toBeVisible();
  await expect(mine.getByRole("listitem")).toHaveCount(0);
  await shots(client, "booking-client-deleted");
  // Their appointments were cancelled: the provider has none of theirs coming.
  await provider.reload();
  await expect(provider.getByText("No appointments coming.")).toBeVisible();
  await expect(provider.getByText(/Cam Ray/)).toHaveCount(0);
  // The name is asked for again at the next booking.
  await client.getByRole("button", { name: /^Book .* at / }).first().click();
  await expect(client.getByRole("form", { name: "Your name, once" })).toBeVisible();

  // The provider deletes their profile: gone from the directory, the name asked for again.
  const profile = provider.getByRole("region", { name: "Your provider profile" });
  await profile.getByRole("button", { name: "Delete my provider profile" }).click();
  await expect(profile.getByText("This cannot be undone.")).toBeVisible();
  await shots(provider, "booking-delete-provider");
  await profile.getByRole("button", { name: "Delete my provider profile for good" }).click();
  await expect(profile.getByRole("status")).toContainText("Your provider profile is deleted");
  await expect(provider.getByRole("region", { name: "Providers" }).getByRole("button", { name: "Pat Lee" })).toHaveCount(0);
  await client.reload();
  await expect(client.getByRole("heading", { name: "Providers" })).toBeVisible();
  await expect(client.getByRole("button", { name: "Pat Lee" })).toHaveCount(0);
  await provider.getByLabel("Day").fill(dayFromNow(5));
  await provider.getByRole("button", { name: "Publish" }).click();
  await expect(provider.getByRole("alert")).toContainText("Publish your name first");
});

/** Publishes half-hour slots for the day, as "Pat Lee": the profile may exist from an earlier
 * test (they run in order) or be asked for now. */
async function publishHours(provider: Page, day: string, from: string, to: string) {
  await provider.getByLabel("Day").fill(day);
  await provider.getByLabel("From").fill(from);
  await provider.getByLabel("To").fill(to);
  await provider.getByLabel("Slot length").selectOption("30");
  await provider.getByRole("button", { name: "Publish" }).click();
  const published = provider.getByText(/new slots published|published already/);
  const asked = provider.getByText("Publish your name first");
  await expect(published.or(asked)).toBeVisible();
  if (await asked.isVisible()) {
    await provider.getByLabel("Your first name").fill("Pat");
    await provider.getByLabel("Your last name").fill("Lee");
    await provider.getByRole("button", { name: "Publish" }).click();
  }
  await expect(published).toBeVisible();
}

/** Books Pat Lee's first free time and confirms it, as "Cam Ray": the client's profile may exist
 * from an earlier test or be asked for now. */
async function bookAndConfirm(client: Page) {
  await client.getByRole("button", { name: "Pat Lee" }).click();
  await client.getByRole("button", { name: /^Book .* at / }).first().click();
  const name = client.getByRole("form", { name: "Your name, once" });
  const confirmHeading = client.getByRole("heading", { name: "Confirm your booking" });
  await expect(name.or(confirmHeading)).toBeVisible();
  if (await name.isVisible()) {
    await client.getByLabel("First name").fill("Cam");
    await client.getByLabel("Last name").fill("Ray");
    await client.getByRole("button", { name: "Save and continue" }).click();
  }
  await client.getByRole("button", { name: "Confirm booking" }).click();
  await expect(client.getByText(/is confirmed/)).toBeVisible();
}
