// The node gate lives in @switchboard/testing (it also waits for cluster DNS).
export { whyNoNode } from '@switchboard/testing';
