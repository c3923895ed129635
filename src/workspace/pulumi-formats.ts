// Pulumi's own wire formats, as far as the action reads them: the special values in the engine's
// JSON (a secret, an asset, an archive, a value not yet known). They are facts of the CLI and its
// SDKs, not choices of the action, and each is written here once: two readings of one format drift
// apart (the outputs once took any special value, an asset or an archive too, for a secret and
// dropped its value). Pure.

/**
 * The engine writes a special value as an object holding this key; its value says which kind: a
 * secret, an asset, an archive, a resource reference (the Go SDK's `resource/sig` package).
 */
export const SIGNATURE_KEY = '4dabf18193072939515e22adb298388d';
export const SECRET_SIGNATURE = '1b47061264138c4ac30d75fd1eb44270';

/** A secret, as the engine's events and the state write it; an asset or an archive is not one. */
export function isSecret(value: unknown): boolean {
  return value !== null && typeof value === 'object' && (value as Record<string, unknown>)[SIGNATURE_KEY] === SECRET_SIGNATURE;
}

/** The engine's stand-in for a value not known until the update runs (in previews). */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';
