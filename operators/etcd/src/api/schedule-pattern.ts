// What the CRDs accept as a schedule (EtcdBackup's spec.schedule, EtcdCluster's
// spec.defragmentation.schedule): the shapes only, so a typo is refused at
// admission; ../backup/schedule.ts parses a schedule fully.
const CRON_FIELD = '[0-9A-Za-z*/,?-]+';

/** Cron (5 fields), a macro or `@every <duration>`, as a CEL `matches` pattern. */
export const SCHEDULE_PATTERN = `^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every ([0-9]+(ms|s|m|h))+|${CRON_FIELD}( +${CRON_FIELD}){4})$`;
