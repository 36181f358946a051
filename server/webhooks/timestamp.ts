// Webhook timestamps: read in the format the API sends (epoch seconds, epoch milliseconds or
// ISO-8601) and checked against the server's clock, either way, within the tolerance window.
import type { WebhookTimestamp } from '../../core/generated/connector';

/** Stripe's and HubSpot's advice: five minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

/** Epoch milliseconds of a timestamp as sent, or undefined when it is not in the declared format. */
export function parseTimestamp(text: string, format: WebhookTimestamp['format'] = 'unix'): number | undefined {
  const value = text.trim();
  if (format === 'iso8601') {
    if (!ISO_8601.test(value)) return undefined;
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  // Digits only: no sign, exponent or fraction; 15 digits stay exact as a number.
  if (!/^\d{1,15}$/.test(value)) return undefined;
  const n = Number(value);
  return format === 'unix_ms' ? n : n * 1000;
}

export type FreshnessResult = { fresh: true; signedAtMs: number } | { fresh: false; reason: string };

/** Whether a delivery signed at `text` is inside the window around `nowMs`. */
export function checkFreshness(text: string, spec: WebhookTimestamp, nowMs: number): FreshnessResult {
  const format = spec.format ?? 'unix';
  const signedAtMs = parseTimestamp(text, format);
  const shown = JSON.stringify(text.slice(0, 40));
  if (signedAtMs === undefined) return { fresh: false, reason: `the timestamp ${shown} is not ${format === 'iso8601' ? 'an ISO-8601 time' : format === 'unix_ms' ? 'epoch milliseconds' : 'epoch seconds'}` };
  const tolerance = spec.tolerance_seconds ?? DEFAULT_TOLERANCE_SECONDS;
  const offsetSeconds = Math.round((nowMs - signedAtMs) / 1000);
  if (Math.abs(nowMs - signedAtMs) > tolerance * 1000) {
    const where = offsetSeconds > 0 ? `${offsetSeconds} s old` : `${-offsetSeconds} s ahead of the server's clock`;
    return { fresh: false, reason: `the timestamp ${shown} is ${where}; deliveries are accepted within ${tolerance} s` };
  }
  return { fresh: true, signedAtMs };
}
