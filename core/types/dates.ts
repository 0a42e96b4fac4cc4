/**
 * The range of Dates both databases store exactly: the years 0000 (1 BC) to 9999. SQLite's
 * date functions and its sortable ISO 8601 text know four-digit years only; PostgreSQL reaches
 * further, but a value that only one of them keeps is refused on both.
 *
 * @module
 */

/** The first instant both databases store: 0000-01-01T00:00:00.000Z (1 BC). */
export const MIN_DATE_MS: number = new Date(0).setUTCFullYear(0, 0, 1);
/** The last instant both databases store: 9999-12-31T23:59:59.999Z. */
export const MAX_DATE_MS: number = new Date(0).setUTCFullYear(10000, 0, 1) - 1;

/**
 * Why a Date (given by its time value) cannot be stored, or null when it can: its UTC year
 * must be 0000 (1 BC) to 9999.
 */
export function dateRangeProblem(time: number): string | null {
  if (time >= MIN_DATE_MS && time <= MAX_DATE_MS) return null;
  if (Number.isNaN(time)) return "expects a valid Date, got an invalid Date";
  return "expects a Date in the years 0000 (1 BC) to 9999, which SQLite and PostgreSQL both " +
    `store exactly; got ${new Date(time).toISOString()}`;
}
