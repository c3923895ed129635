// Stands in for undici (undici.cjs) until the first call: see scripts/bundle.mjs.
import { createRequire } from 'node:module';
const undici = () => createRequire(import.meta.url)('./undici.cjs');
export class ProxyAgent {
  constructor(...args) {
    return new (undici().ProxyAgent)(...args);
  }
}
export function fetch(...args) {
  return undici().fetch(...args);
}
