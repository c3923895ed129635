// The update's page in Pulumi Cloud's console: where the CLI's rule puts the console for a backend,
// which printed link is taken for the update's, and where the report shows it.
import { describe, expect, it } from '@jest/globals';
import { updatePage } from '../../../src/report/build.js';
import { renderComment } from '../../../src/report/comment.js';
import { stepOutputs } from '../../../src/report/outputs.js';
import { renderJobSummary } from '../../../src/report/summary.js';
import { cloudConsoleUrl } from '../../../src/workspace/console-url.js';
import { linksIn } from '../../support/gfm.js';
import { reportFrom } from '../../support/events.js';

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

describe('updatePage', () => {
  const CONSOLE = 'https://app.pulumi.com';
  it("takes the CLI's link to an update or a preview of this very stack", () => {
    expect(updatePage('https://app.pulumi.com/acme/web/dev/updates/12', CONSOLE, 'acme/web/dev')).toBe('https://app.pulumi.com/acme/web/dev/updates/12');
    expect(updatePage('https://app.pulumi.com/acme/web/dev/previews/0f1e2d3c-aaaa-4bbb-8ccc-0123456789ab', CONSOLE, 'acme/web/dev')).toBe(
      'https://app.pulumi.com/acme/web/dev/previews/0f1e2d3c-aaaa-4bbb-8ccc-0123456789ab',
    );
  });

  it.each([
    ['another host', 'https://evil.example/acme/web/dev/updates/12'],
    ['a look-alike host', 'https://app.pulumi.com.evil.example/acme/web/dev/updates/12'],
    ['another stack', 'https://app.pulumi.com/acme/web/prod/updates/12'],
    ['more path', 'https://app.pulumi.com/acme/web/dev/updates/12/../../../../x'],
    ['a query', 'https://app.pulumi.com/acme/web/dev/updates/12?x=1'],
    ['no update', 'https://app.pulumi.com/acme/web/dev/'],
    ['an update 0', 'https://app.pulumi.com/acme/web/dev/updates/0'],
  ])('leaves out %s', (_, printed) => {
    expect(updatePage(printed, CONSOLE, 'acme/web/dev')).toBeUndefined();
  });

  it('takes nothing where the CLI can name no console, or printed no link', () => {
    expect(updatePage('https://app.pulumi.com/acme/web/dev/updates/12', undefined, 'acme/web/dev')).toBeUndefined();
    expect(updatePage(undefined, CONSOLE, 'acme/web/dev')).toBeUndefined();
  });
});

describe('the report', () => {
  const url = 'https://app.pulumi.com/acme/website/dev/updates/7';
  it("links the update from the stack's name in the comment's and the summary's heading, and outputs it", () => {
    const report = reportFrom([], { command: 'up', updateUrl: url, runUrl: 'https://github.com/acme/website/actions/runs/42' });
    const comment = renderComment(report);
    expect(comment).toContain(`on [<code>acme/website/dev</code>](${url})`);
    expect(linksIn(comment)).toEqual([url, 'https://github.com/acme/website/actions/runs/42']);
    expect(linksIn(renderJobSummary(report))).toEqual([url]);
    expect(stepOutputs(report)).toContainEqual({ name: 'update-url', value: url });
  });

  it('names the stack without a link, and sets no output, elsewhere', () => {
    const report = reportFrom([], { command: 'up' });
    expect(renderComment(report)).toContain('on <code>acme/website/dev</code>');
    expect(stepOutputs(report).map((o) => o.name)).not.toContain('update-url');
  });
});
