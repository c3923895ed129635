// Secrets out of everything the action writes. Masking is done on the text and the model before any
// escaping, because an escaped secret (`a\|b`) would no longer match.
import type { Report } from '../model/changes.js';
import { redactPropertyChanges } from '../model/properties.js';

const REDACTED = '***';

/**
 * One pass over the text with the secrets as alternatives, longest first, so a secret that contains
 * another is masked whole and `***` itself is never masked again.
 */
function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const distinct = [...new Set(secrets.filter((secret) => secret !== ''))].sort((a, b) => b.length - a.length);
  if (distinct.length === 0) return (text) => text;
  const pattern = new RegExp(distinct.map((secret) => secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (text) => text.replace(pattern, REDACTED);
}

export function redact(text: string, secrets: readonly string[]): string {
  return secretRedactor(secrets)(text);
}

/**
 * A secret and, when it spans lines (a PEM key, a JSON credential), each of its lines: the log is
 * masked line by line, by the runner and here, so a secret printed across lines only matches line by
 * line. A line with no letter or digit (`}`, `-----`) tells nothing and is not one of them: masked,
 * it would hide every brace in the log.
 */
export function secretParts(secret: string): string[] {
  const lines = secret.split(/\r\n|\r|\n/).map((line) => line.trim());
  return lines.length === 1 ? [secret] : [secret, ...lines.filter((line) => /[\p{L}\p{N}]/u.test(line))];
}

/**
 * The run's one redactor: every secret it learns of (secret config at the start, secret outputs
 * once read) is registered with the runner, which masks it in the log, and masked here in
 * everything the action writes itself: the log's lines, the comment, the summary, the outputs.
 */
export class Redactor {
  private readonly secrets: string[] = [];
  private mask: (text: string) => string = (text) => text;

  constructor(private readonly register: (secret: string) => void = () => undefined) {}

  add(secrets: Iterable<string>): this {
    const fresh = [...new Set([...secrets].flatMap(secretParts))].filter((secret) => secret !== '' && !this.secrets.includes(secret));
    if (fresh.length === 0) return this;
    fresh.forEach((secret) => this.register(secret));
    this.secrets.push(...fresh);
    this.mask = secretRedactor(this.secrets);
    return this;
  }

  text(text: string): string {
    return this.mask(text);
  }

  report(report: Report): Report {
    return redactReport(report, this.secrets);
  }
}

function redactValue(value: unknown, mask: (text: string) => string): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, mask));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [mask(key), redactValue(item, mask)]));
  }
  return value;
}

/**
 * Masks secrets in everything a renderer shows. The stack identity is kept: it names the comment.
 */
export function redactReport(report: Report, secrets: readonly string[]): Report {
  const mask = secretRedactor(secrets);
  const { changes } = report;
  return {
    ...report,
    changes: {
      ...changes,
      resources: changes.resources.map((r) => ({
        ...r,
        urn: mask(r.urn),
        type: mask(r.type),
        name: mask(r.name),
        diffs: r.diffs.map(mask),
        ...(r.replaceCauses ? { replaceCauses: r.replaceCauses.map(mask) } : {}),
        ...(r.properties ? { properties: redactPropertyChanges(r.properties, secrets, mask) } : {}),
      })),
      diagnostics: changes.diagnostics.map((d) => ({ ...d, message: mask(d.message), ...(d.urn ? { urn: mask(d.urn) } : {}) })),
      policyViolations: changes.policyViolations.map((p) => ({
        ...p,
        policyPack: mask(p.policyPack),
        policy: mask(p.policy),
        message: mask(p.message),
        ...(p.urn ? { urn: mask(p.urn) } : {}),
      })),
    },
    outputs: Object.fromEntries(Object.entries(report.outputs).map(([key, output]) => [mask(key), { ...output, value: redactValue(output.value, mask) }])),
    ...(report.error !== undefined ? { error: mask(report.error) } : {}),
    ...(report.logTail ? { logTail: report.logTail.map(mask) } : {}),
    ...(report.lifecycle ? { lifecycle: report.lifecycle.map((l) => ({ ...l, ...(l.detail ? { detail: mask(l.detail) } : {}) })) } : {}),
    ...(report.checks ? { checks: report.checks.map((c) => ({ ...c, expected: mask(c.expected), actual: mask(c.actual) })) } : {}),
  };
}
