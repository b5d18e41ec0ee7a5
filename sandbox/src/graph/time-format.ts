/**
 * Graph's textual time formats: ISO-8601 durations (presence expiry, call-quality figures) and the
 * date-time shapes Graph emits, which differ by place (7 fractional digits on subscriptions,
 * whole seconds without a zone in error bodies).
 */

const DURATION =
  /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Parses `PT5M`, `PT1H30M`, `P1D`, `PT0.015S` into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (m === null || text === 'P' || text.endsWith('T')) return undefined;
  const [, d, h, min, s] = m;
  const part = (value: string | undefined, unitMs: number): number =>
    value === undefined ? 0 : Number(value) * unitMs;
  return Math.round(part(d, 86_400_000) + part(h, 3_600_000) + part(min, 60_000) + part(s, 1000));
}

/** Formats milliseconds as an ISO-8601 duration the way Graph prints call-quality values (`PT0.016S`). */
export function formatSecondsDuration(ms: number): string {
  return `PT${Number((ms / 1000).toFixed(3))}S`;
}

/** `2016-11-20T18:23:45.9356913Z`: the 7-digit form of subscription and call-record times. */
export function graphDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** `2021-05-18T19:03:10`: the form of `innerError.date` in Graph error bodies (UTC, no zone). */
export function innerErrorDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}
