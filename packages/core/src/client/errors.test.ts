import type { TooManyRequestsError } from './errors.js';
import {
  AlreadyExistsError,
  ApiError,
  ConflictError,
  errorFromResponse,
  GoneError,
  InvalidError,
  NotFoundError,
} from './errors.js';

const ctx = {
  verb: 'create' as const,
  resource: 'widgets.example.com',
  key: { namespace: 'ns', name: 'w1' },
};

describe('errorFromResponse', () => {
  it('sorts Status reasons into typed errors that name verb, resource and key', () => {
    const err = errorFromResponse(ctx, 409, {
      kind: 'Status',
      code: 409,
      reason: 'AlreadyExists',
      message: 'exists',
    });
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      verb: 'create',
      resource: 'widgets.example.com',
    });
    expect(err.key).toEqual({ namespace: 'ns', name: 'w1' });
    expect(err.message).toBe('create widgets.example.com ns/w1: exists');
    expect(err.name).toBe('AlreadyExistsError');
  });

  it('keeps the field causes of an Invalid status', () => {
    const causes = [{ reason: 'FieldValueRequired', field: 'spec.size', message: 'Required value' }];
    const err = errorFromResponse(ctx, 422, {
      kind: 'Status',
      reason: 'Invalid',
      code: 422,
      details: { causes },
    });
    expect(err).toBeInstanceOf(InvalidError);
    expect((err as InvalidError).causes).toEqual(causes);
  });

  it('honours Retry-After on 429, falling back to the Status details', () => {
    const fromHeader = errorFromResponse(ctx, 429, { kind: 'Status', reason: 'TooManyRequests' }, '7');
    expect((fromHeader as TooManyRequestsError).retryAfterSeconds).toBe(7);
    const fromDetails = errorFromResponse(ctx, 429, {
      kind: 'Status',
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 3 },
    });
    expect((fromDetails as TooManyRequestsError).retryAfterSeconds).toBe(3);
  });

  it('maps bare status codes when a proxy answered instead of the API server', () => {
    expect(errorFromResponse(ctx, 404, 'not here')).toBeInstanceOf(NotFoundError);
    expect(errorFromResponse(ctx, 409, undefined)).toBeInstanceOf(ConflictError);
    expect(errorFromResponse(ctx, 410, undefined)).toBeInstanceOf(GoneError);
    expect(errorFromResponse(ctx, 500, 'boom')).toMatchObject({ reason: 'Unknown', code: 500 });
  });

  it('treats an Expired watch status as Gone', () => {
    expect(errorFromResponse(ctx, 410, { kind: 'Status', code: 410, reason: 'Expired' })).toBeInstanceOf(
      GoneError,
    );
  });
});
