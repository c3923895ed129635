// Where Pulumi Cloud's console is, for a backend: the rule the CLI itself uses for the links it
// prints (CloudConsoleURL in the CLI's pkg/backend/httpstate/client). PULUMI_CONSOLE_DOMAIN names
// the console's host outright; otherwise an API host `api.<domain>` has its console at
// `app.<domain>` (api.pulumi.com: app.pulumi.com; a self-hosted api.pulumi.acme.com:
// app.pulumi.acme.com), `localhost:8080` at `localhost:3000`, and any other host has none the CLI
// can name.

/** The console's root (`https://app.pulumi.com`), or undefined where the CLI would link nothing. */
export function cloudConsoleUrl(apiUrl: string, consoleDomain?: string): string | undefined {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  // The whole host with its port, as the CLI replaces it.
  let host: string;
  if (consoleDomain) host = consoleDomain;
  else if (url.host.startsWith('api.')) host = `app.${url.host.slice('api.'.length)}`;
  else if (url.host === 'localhost:8080') host = 'localhost:3000';
  else return undefined;
  return `${url.protocol}//${host}`;
}
