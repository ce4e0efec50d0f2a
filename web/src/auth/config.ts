// Where sign-in happens: the template's user pool and app client, served by the console's own
// function as /console/config.json (locally it also names the email outbox).
export type ConsoleConfig = {
  region: string;
  cognito_endpoint: string;
  user_pool_id: string;
  client_id: string;
  outbox_url?: string;
};

let loaded: Promise<ConsoleConfig> | undefined;

export function config(): Promise<ConsoleConfig> {
  loaded ??= fetch("/console/config.json", { cache: "no-store" }).then(async (response) => {
    if (!response.ok) throw new Error(`The console's configuration did not load (${response.status}).`);
    return (await response.json()) as ConsoleConfig;
  });
  return loaded;
}
