import { ApiError, describeError, toProblem } from './problem';

describe('describeError', () => {
  it('says what failed, which fields, what to do, and the status with its code', () => {
    const error = new ApiError(
      toProblem(400, 'Bad Request', {
        type: 'https://keyward.dev/problems/validation-failed',
        title: 'Bad Request',
        status: 400,
        detail: 'allowedIps.0: must be an IPv4/IPv6 address or CIDR',
        code: 'VALIDATION_FAILED',
        errors: [{ field: 'allowedIps.0', message: 'must be an IPv4/IPv6 address or CIDR' }],
      }),
    );
    expect(describeError(error)).toBe('allowedIps.0: must be an IPv4/IPv6 address or CIDR. (400 VALIDATION_FAILED)');
    const other = new ApiError(toProblem(422, '', { title: 'Unprocessable Entity', errors: [{ field: 'name', message: 'taken' }, { field: '', message: 'try again' }] }));
    expect(describeError(other)).toBe('Unprocessable Entity. name: taken; try again. (422)');
    expect(error.fieldMessage('allowedIps.0')).toBe('must be an IPv4/IPv6 address or CIDR');
  });

  it('adds a hint for known codes and the wait for 429/503', () => {
    const error = new ApiError(toProblem(429, 'Too Many Requests', { detail: 'rate limit reached', code: 'RATE_LIMITED' }), 42);
    expect(describeError(error)).toBe('rate limit reached. The signed-in key has used up its rate limit for now. Retry after 42 s. (429 RATE_LIMITED)');
  });

  it('explains two different keys, and a refused key from a throttled address', () => {
    const ambiguous = new ApiError(toProblem(401, 'Unauthorized', { detail: 'x-api-key and api-key carry different keys: send one key', code: 'AMBIGUOUS_API_KEY' }));
    expect(describeError(ambiguous)).toBe(
      'x-api-key and api-key carry different keys: send one key. The request carried two different keys (x-api-key, api-key or Authorization: Bearer). Send one key, in one header. (401 AMBIGUOUS_API_KEY)',
    );
    const throttled = new ApiError(toProblem(429, 'Too Many Requests', { detail: 'the key is not valid', code: 'TOO_MANY_FAILED_AUTHENTICATIONS' }), 30);
    expect(describeError(throttled)).toContain('check the key, then wait before trying again. Retry after 30 s. (429 TOO_MANY_FAILED_AUTHENTICATIONS)');
  });

  it('never shows what is not a problem document (an HTML error page, a stack)', () => {
    const error = new ApiError(toProblem(502, 'Bad Gateway', '<html>Error: at Object.<anonymous> (/app/main.js:1:1)</html>'));
    expect(describeError(error)).toBe('Bad Gateway. (502)');
    expect(describeError(new TypeError('Failed to fetch'))).toBe('The API could not be reached. Check that the server is running.');
    expect(describeError(new Error('boom at x.js:1'))).toBe('Something went wrong in the console. Reload the page and try again.');
    expect(describeError(new ApiError({ status: 0 }))).toBe('The API could not be reached. Check that the server is running.');
  });
});
