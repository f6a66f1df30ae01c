// When scheduled backups run. Three forms, all in UTC:
//
// - cron, 5 fields (minute hour day-of-month month day-of-week) with `*`,
//   ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`, and month and day
//   names (`jan`, `mon`); day-of-month and day-of-week match either one when
//   both are restricted, as Vixie cron and Kubernetes CronJobs do;
// - macros: @yearly (@annually), @monthly, @weekly, @daily (@midnight), @hourly;
// - `@every <duration>` (`30s`, `5m`, `1h30m`), counted from the previous
//   scheduled time, for short intervals cron cannot express.
//
// Pure and clock-free: the caller passes "after" and gets the next time.
import { MIN_EVERY_SECONDS } from '../api/backup-types.js';

/** A parsed schedule. */
export type Schedule =
  | {
      kind: 'cron';
      minutes: Set<number>;
      hours: Set<number>;
      days: Set<number>;
      months: Set<number>;
      weekdays: Set<number>;
      anyDay: boolean;
      anyWeekday: boolean;
    }
  | { kind: 'every'; ms: number };

/** A schedule the parser refuses, with why. */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
  readonly reason = 'InvalidSchedule';
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesFrom?: number;
}

const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  // 7 is Sunday too, as in most crons.
  { name: 'day of week', min: 0, max: 7, names: WEEKDAYS, namesFrom: 0 },
];

function value(text: string, field: FieldSpec): number {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (field.namesFrom ?? 0);
  if (!/^\d+$/.test(text)) throw new ScheduleError(`${field.name}: ${JSON.stringify(text)} is not a number`);
  const n = Number(text);
  if (n < field.min || n > field.max)
    throw new ScheduleError(`${field.name}: ${n} is outside ${field.min}-${field.max}`);
  return n;
}

function parseField(text: string, field: FieldSpec): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw new ScheduleError(`${field.name}: step ${JSON.stringify(stepText)} must be a positive integer`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = field.min;
      hi = field.max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      lo = value(a, field);
      hi = value(b, field);
      if (lo > hi) throw new ScheduleError(`${field.name}: range ${range} runs backwards`);
    } else {
      lo = value(range, field);
      hi = stepText === undefined ? lo : field.max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Parses a Go-style duration (`90s`, `5m`, `1h30m`, `500ms`) into ms. */
export function parseDuration(text: string): number {
  const re = /(\d+)(ms|s|m|h)/gy;
  let ms = 0;
  let matched = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const n = Number(m[1]);
    ms += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== text.length)
    throw new ScheduleError(`${JSON.stringify(text)} is not a duration such as 30s, 5m or 1h30m`);
  return ms;
}

/** Parses a schedule; throws {@link ScheduleError} saying what is wrong. */
export function parseSchedule(text: string): Schedule {
  const trimmed = text.trim();
  if (trimmed.startsWith('@every ')) {
    const ms = parseDuration(trimmed.slice('@every '.length).trim());
    if (ms < MIN_EVERY_SECONDS * 1000)
      throw new ScheduleError(`@every needs at least ${MIN_EVERY_SECONDS}s between snapshots`);
    return { kind: 'every', ms };
  }
  const expr = trimmed.startsWith('@') ? MACROS[trimmed.toLowerCase()] : trimmed;
  if (expr === undefined) throw new ScheduleError(`unknown macro ${trimmed}`);
  const parts = expr.split(/\s+/);
  if (parts.length !== 5)
    throw new ScheduleError(
      `a cron expression has 5 fields (minute hour day month weekday), got ${parts.length}`,
    );
  const [minutes, hours, days, months, weekdays] = parts.map((p, i) => parseField(p, FIELDS[i]!)) as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  if (weekdays.has(7)) weekdays.add(0);
  const schedule: Schedule = {
    kind: 'cron',
    minutes,
    hours,
    days,
    months,
    weekdays,
    anyDay: parts[2] === '*' || parts[2] === '?',
    anyWeekday: parts[4] === '*' || parts[4] === '?',
  };
  // Refuse what never fires (30 February) here, not at the first due time.
  nextScheduleTime(schedule, new Date(0));
  return schedule;
}

function dayMatches(s: Extract<Schedule, { kind: 'cron' }>, d: Date): boolean {
  const dom = s.days.has(d.getUTCDate());
  const dow = s.weekdays.has(d.getUTCDay());
  if (s.anyDay && s.anyWeekday) return true;
  if (s.anyDay) return dow;
  if (s.anyWeekday) return dom;
  return dom || dow;
}

/**
 * The first scheduled time strictly after `after`. Cron times fall on whole
 * minutes; `@every` adds its interval to `after` (pass the previous
 * scheduled time, not "now", so the rhythm does not drift).
 */
export function nextScheduleTime(schedule: Schedule, after: Date): Date {
  if (schedule.kind === 'every') return new Date(after.getTime() + schedule.ms);
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  // Jump field by field; five years is enough for any satisfiable expression (Feb 29 included).
  const limit = after.getTime() + 5 * 366 * 24 * 3_600_000;
  while (t.getTime() <= limit) {
    if (!schedule.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(schedule, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!schedule.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!schedule.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return t;
  }
  throw new ScheduleError('the schedule never fires (e.g. 30 February)');
}

/**
 * The scheduled time that is due now, if any: the latest scheduled time in
 * (`last`, `now`]. Missed times are not made up one by one: after an outage
 * only the most recent one runs, as a CronJob with a starting deadline does.
 */
export function dueScheduleTime(schedule: Schedule, last: Date, now: Date): Date | undefined {
  if (schedule.kind === 'every') {
    const elapsed = now.getTime() - last.getTime();
    if (elapsed < schedule.ms) return undefined;
    return new Date(last.getTime() + Math.floor(elapsed / schedule.ms) * schedule.ms);
  }
  let due: Date | undefined;
  let t = nextScheduleTime(schedule, last);
  // Bounded: at most one year of missed minutes is walked.
  for (let i = 0; t.getTime() <= now.getTime() && i < 527_040; i++) {
    due = t;
    t = nextScheduleTime(schedule, t);
  }
  return due;
}
