import { parseSlotLock } from './cluster.js';

describe('parseSlotLock', () => {
  it('reads the cluster folder and the PID of the process that took the slot', () => {
    expect(parseSlotLock('/tmp/switchboard-cluster-abc\n4242\n')).toEqual({
      owner: '/tmp/switchboard-cluster-abc',
      pid: 4242,
    });
  });

  it('reads a lock written before PIDs were recorded as the folder alone', () => {
    expect(parseSlotLock('/tmp/switchboard-cluster-abc\n')).toEqual({
      owner: '/tmp/switchboard-cluster-abc',
    });
  });

  it('ignores a PID line that is not a positive whole number', () => {
    expect(parseSlotLock('/tmp/x\nnot-a-pid\n')).toEqual({ owner: '/tmp/x' });
    expect(parseSlotLock('/tmp/x\n-1\n')).toEqual({ owner: '/tmp/x' });
  });
});
