// Pulumi's formats as the action reads them: the special values of the engine's JSON (only a
// secret is a secret).
import { describe, expect, it } from '@jest/globals';
import { isSecret } from '../../src/workspace/pulumi-formats.js';

describe('special values', () => {
  // The signatures of the Go SDK's resource/sig package, under its one signature key.
  const KEY = '4dabf18193072939515e22adb298388d';

  it('takes only the secret signature for a secret', () => {
    expect(isSecret({ [KEY]: '1b47061264138c4ac30d75fd1eb44270', ciphertext: '[secret]' })).toBe(true);
    expect(isSecret({ [KEY]: 'c44067f5952c0a294b673a41bacd8c17', text: 'an asset' })).toBe(false);
    expect(isSecret({ [KEY]: '0def7320c3a5731c473e5ecbe6d01bc7', path: 'an archive' })).toBe(false);
    expect(isSecret({ [KEY]: '5cf8f73096256a8f31e491e813e4eb8e', urn: 'urn:pulumi:dev::p::t::a resource reference' })).toBe(false);
    for (const plain of [null, undefined, '1b47061264138c4ac30d75fd1eb44270', ['1b47061264138c4ac30d75fd1eb44270'], { secret: true }]) expect(isSecret(plain)).toBe(false);
  });
});
