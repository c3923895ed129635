// The engine events the report's unit tests read are the ones the CLI records now: a fresh recording
// (scripts/record-events.mjs, real CLI runs) must equal the committed fixtures byte for byte, so a
// CLI upgrade that changes what the engine says fails here until the fixtures are recorded again.
import { afterAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, recordEvents } from '../../scripts/record-events.mjs';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'recorded-events-'));

afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true });
});

/** The first line where two texts part, for a message a person can act on. */
function firstDifference(committed: string, recorded: string): string {
  const a = committed.split('\n');
  const b = recorded.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line < 0 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at])}, recorded ${JSON.stringify(b[at])}`;
}

describe('recorded engine events', () => {
  it('are what the CLI records now (re-record with `node scripts/record-events.mjs`)', async () => {
    const recorded = await recordEvents(out, { log: () => {} });
    const committed = fs.readdirSync(FIXTURES).filter((file) => file.endsWith('.json'));
    expect(committed.sort()).toEqual([...recorded].sort());
    const differences = recorded.flatMap((file) => {
      const before = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
      const now = fs.readFileSync(path.join(out, file), 'utf8');
      return before === now ? [] : [`${file}: ${firstDifference(before, now)}`];
    });
    expect(differences).toEqual([]);
  }, 300_000);
});
