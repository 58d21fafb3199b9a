import { ApiError } from './api.client';
import { describeError } from './error-text';

describe('describeError', () => {
  it('asks for a key on a 401 and says whether one was missing or wrong', () => {
    expect(describeError(new ApiError(401, 'AUTH.MISSING_KEY', 'x'))).toMatchObject({
      title: 'An API key is needed',
      askKey: true,
    });
    expect(describeError(new ApiError(401, 'AUTH.INVALID_KEY', 'x'))).toMatchObject({
      title: 'The API key was refused',
      askKey: true,
    });
  });

  it('names the store that is down on a 503', () => {
    const e = describeError(
      new ApiError(
        503,
        'STORAGE.UNAVAILABLE',
        'dynamodb is unavailable',
        { dependency: 'dynamodb' },
        'req-1',
      ),
    );
    expect(e.title).toBe('DynamoDB (the event index) is unavailable');
    expect(e.text).toContain('Nothing was lost; try again in a moment. Request id: req-1.');
    expect(describeError(new ApiError(503, 'STORAGE.UNAVAILABLE', 'x', { dependency: 's3' })).title).toBe(
      'S3 (where raw events are kept) is unavailable',
    );
  });

  it('lists the fields a 400 names', () => {
    const e = describeError(
      new ApiError(400, 'QUERY.VALIDATION_FAILED', 'Invalid query', [
        { field: 'from', message: 'from must be before to' },
      ]),
    );
    expect(e).toEqual({
      title: 'The request was refused',
      text: 'Invalid query (from: from must be before to)',
      askKey: false,
    });
  });
});
