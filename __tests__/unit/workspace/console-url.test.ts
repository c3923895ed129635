// Where the CLI's rule puts Pulumi Cloud's console for a backend. Which printed link is taken for the
// update's page is report/build.test.ts's (updatePage), where the report shows it
// report/comment.test.ts's.
import { describe, expect, it } from '@jest/globals';
import { cloudConsoleUrl } from '../../../src/workspace/console-url.js';

describe('cloudConsoleUrl', () => {
  it.each([
    ['https://api.pulumi.com', undefined, 'https://app.pulumi.com'],
    ['https://api.pulumi.com/', undefined, 'https://app.pulumi.com'],
    ['https://api.pulumi.acme.com', undefined, 'https://app.pulumi.acme.com'],
    ['http://localhost:8080', undefined, 'http://localhost:3000'],
    ['https://pulumi.acme.com', undefined, undefined],
    ['https://127.0.0.1:8443', undefined, undefined],
    ['https://127.0.0.1:8443', 'app.example.test', 'https://app.example.test'],
    ['https://api.pulumi.com', 'console.acme.com:8443', 'https://console.acme.com:8443'],
    ['file:///state', undefined, undefined],
    ['not a url', undefined, undefined],
  ])('%s (PULUMI_CONSOLE_DOMAIN %s): %s', (api, domain, console) => {
    expect(cloudConsoleUrl(api, domain)).toBe(console);
  });
});
