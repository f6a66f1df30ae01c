import {
  dueScheduleTime,
  nextScheduleTime,
  parseDuration,
  parseSchedule,
  ScheduleError,
} from './schedule.js';

const at = (iso: string) => new Date(iso);
const next = (expr: string, after: string) => nextScheduleTime(parseSchedule(expr), at(after)).toISOString();

describe('backup schedules', () => {
  it('finds the next minute of a step expression', () => {
    expect(next('*/15 * * * *', '2026-11-28T02:07:31Z')).toBe('2026-11-28T02:15:00.000Z');
    expect(next('*/15 * * * *', '2026-11-28T02:45:00Z')).toBe('2026-11-28T03:00:00.000Z');
  });

  it('rolls over hours, days, months and years', () => {
    expect(next('30 2 * * *', '2026-11-28T02:30:00Z')).toBe('2026-11-29T02:30:00.000Z');
    expect(next('0 0 1 * *', '2026-12-15T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(next('@yearly', '2026-06-01T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(next('0 12 29 2 *', '2026-03-01T00:00:00Z')).toBe('2028-02-29T12:00:00.000Z');
  });

  it('matches either restricted day field, as cron does, and takes names and 7 for Sunday', () => {
    // The 1st of the month or any Monday.
    expect(next('0 0 1 * mon', '2026-11-28T00:00:00Z')).toBe('2026-11-30T00:00:00.000Z');
    expect(next('0 0 * * 7', '2026-11-28T00:00:00Z')).toBe('2026-11-29T00:00:00.000Z');
    expect(next('0 0 * jan-feb/1 *', '2026-11-28T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(next('0 9-17/4 * * 1-5', '2026-11-27T13:00:00Z')).toBe('2026-11-27T17:00:00.000Z');
    expect(next('5,10 * * * *', '2026-11-27T13:06:00Z')).toBe('2026-11-27T13:10:00.000Z');
  });

  it('counts @every from the previous scheduled time', () => {
    expect(next('@every 30s', '2026-11-28T02:00:10Z')).toBe('2026-11-28T02:00:40.000Z');
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
  });

  it.each([
    ['* * * *', /5 fields/],
    ['61 * * * *', /minute: 61 is outside 0-59/],
    ['* * * * * *', /5 fields/],
    ['*/0 * * * *', /step/],
    ['5-1 * * * *', /backwards/],
    ['@often', /unknown macro/],
    ['@every 1s', /at least 5s/],
    ['@every soon', /not a duration/],
    ['0 0 30 2 *', /never fires/],
  ])('refuses %j', (expr, why) => {
    expect(() => nextScheduleTime(parseSchedule(expr), at('2026-01-01T00:00:00Z'))).toThrow(ScheduleError);
    expect(() => nextScheduleTime(parseSchedule(expr), at('2026-01-01T00:00:00Z'))).toThrow(why);
  });

  it('runs only the latest missed time after an outage', () => {
    const s = parseSchedule('*/10 * * * *');
    expect(dueScheduleTime(s, at('2026-11-28T01:00:00Z'), at('2026-11-28T01:55:00Z'))?.toISOString()).toBe(
      '2026-11-28T01:50:00.000Z',
    );
    expect(dueScheduleTime(s, at('2026-11-28T01:50:00Z'), at('2026-11-28T01:59:59Z'))).toBeUndefined();
    const every = parseSchedule('@every 10s');
    expect(
      dueScheduleTime(every, at('2026-11-28T01:00:00Z'), at('2026-11-28T01:00:35Z'))?.toISOString(),
    ).toBe('2026-11-28T01:00:30.000Z');
    expect(dueScheduleTime(every, at('2026-11-28T01:00:00Z'), at('2026-11-28T01:00:09Z'))).toBeUndefined();
  });
});
