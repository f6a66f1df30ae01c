import {
  findStatusCondition,
  isStatusConditionTrue,
  removeStatusCondition,
  setStatusCondition,
} from './conditions.js';

const t0 = new Date('2026-01-01T00:00:00.123Z');
const t1 = new Date('2026-01-01T00:05:00.000Z');

describe('setStatusCondition', () => {
  it('adds a new condition with the transition time and an empty message by default', () => {
    const list = setStatusCondition(undefined, { type: 'Ready', status: 'False', reason: 'Creating' }, t0);
    expect(list).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Creating',
        message: '',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ]);
  });

  it('keeps lastTransitionTime when only reason, message or generation change', () => {
    const a = setStatusCondition(
      [],
      { type: 'Ready', status: 'True', reason: 'Up', observedGeneration: 1 },
      t0,
    );
    const b = setStatusCondition(
      a,
      { type: 'Ready', status: 'True', reason: 'StillUp', message: 'fine', observedGeneration: 2 },
      t1,
    );
    expect(b[0]).toMatchObject({
      reason: 'StillUp',
      message: 'fine',
      observedGeneration: 2,
      lastTransitionTime: '2026-01-01T00:00:00Z',
    });
  });

  it('moves lastTransitionTime when the status changes', () => {
    const a = setStatusCondition([], { type: 'Ready', status: 'True', reason: 'Up' }, t0);
    const b = setStatusCondition(a, { type: 'Ready', status: 'False', reason: 'Down' }, t1);
    expect(b[0]!.lastTransitionTime).toBe('2026-01-01T00:05:00Z');
    expect(a[0]!.status).toBe('True'); // input list untouched
  });

  it('keeps other types and their order', () => {
    let list = setStatusCondition([], { type: 'Ready', status: 'True', reason: 'Up' }, t0);
    list = setStatusCondition(list, { type: 'example.com/Degraded', status: 'False', reason: 'Fine' }, t0);
    list = setStatusCondition(list, { type: 'Ready', status: 'Unknown', reason: 'Probing' }, t1);
    expect(list.map((c) => c.type)).toEqual(['Ready', 'example.com/Degraded']);
    expect(isStatusConditionTrue(list, 'Ready')).toBe(false);
    expect(findStatusCondition(removeStatusCondition(list, 'Ready'), 'Ready')).toBeUndefined();
  });

  it('rejects reasons and types the API server would reject', () => {
    expect(() => setStatusCondition([], { type: 'Ready', status: 'True', reason: 'not camel case' })).toThrow(
      /reason/,
    );
    expect(() => setStatusCondition([], { type: 'bad type!', status: 'True', reason: 'Ok' })).toThrow(/type/);
  });
});
