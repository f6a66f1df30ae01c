import { createLogger } from './logger.js';

// Tests pass the level: the environment's LOG_LEVEL (warn under jest) must not decide what they see.
function capture(format: 'json' | 'text', level: 'debug' | 'info' = 'info') {
  const lines: string[] = [];
  const log = createLogger({ format, level, sink: { write: (l: string) => lines.push(l) }, now: () => 0 });
  return { log, lines };
}

describe('createLogger', () => {
  it('writes JSON lines with bound and per-call fields', () => {
    const { log, lines } = capture('json');
    log.child({ controller: 'c1' }).child({ key: 'ns/a' }).info('reconciled', { reconcileID: 'r1' });
    expect(JSON.parse(lines[0]!)).toEqual({
      ts: '1970-01-01T00:00:00.000Z',
      level: 'info',
      msg: 'reconciled',
      controller: 'c1',
      key: 'ns/a',
      reconcileID: 'r1',
    });
  });

  it('expands errors to message and type', () => {
    const { log, lines } = capture('json');
    log.error('failed', { err: new TypeError('boom') });
    expect(JSON.parse(lines[0]!).err).toEqual({ message: 'boom', type: 'TypeError' });
  });

  it('writes readable text with quoted values where needed', () => {
    const { log, lines } = capture('text');
    log.warn('slow', { key: 'ns/a', note: 'two words', n: 3 });
    expect(lines[0]).toBe('1970-01-01T00:00:00.000Z WARN  slow key=ns/a note="two words" n=3\n');
  });

  it('drops lines below the level', () => {
    const { log, lines } = capture('json', 'info');
    log.debug('hidden');
    expect(lines).toHaveLength(0);
  });
});
