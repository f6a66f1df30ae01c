import { formatVolumeFate, parseVolumeFate } from './observation.js';

describe('the volume fate a member removal writes on its PVC', () => {
  it('reads back what it writes', () => {
    for (const fate of [
      { volume: 'Delete' as const },
      { volume: 'Retain' as const },
      { volume: 'Quarantine' as const, quarantineId: 'replaced-mq3x1c' },
    ])
      expect(parseVolumeFate(formatVolumeFate(fate))).toEqual(fate);
  });

  it('reads anything else as no fate', () => {
    for (const value of [undefined, '', 'delete', 'Quarantine', 'Quarantine:', 'Quarantine:a b', 'Keep'])
      expect(parseVolumeFate(value)).toBeUndefined();
  });
});
