import { storedStream } from '@keyward/testing';
import { KeywardEvent } from '../events/keyward-events';
import { foldUser } from './user.state';

const stream = (...events: [string, object][]) => storedStream('user-u1', events);
const userCreated: [string, object] = [KeywardEvent.UserCreated, { userId: 'u1', email: 'a@acme.test', name: 'A', permissions: ['keys:read'], disabled: false }];

describe('a user folded from its stream', () => {
  it('no UserCreated, no user (an update alone makes none)', () => {
    expect(foldUser([])).toBeNull();
    expect(foldUser(stream([KeywardEvent.UserUpdated, { userId: 'u1', changes: { name: 'B' } }]))).toBeNull();
  });

  it('UserCreated gives the user at version 1 in its company', () => {
    expect(foldUser(stream(userCreated))).toEqual({ userId: 'u1', companyId: 'c1', email: 'a@acme.test', name: 'A', permissions: ['keys:read'], disabled: false, version: 1 });
  });

  it('UserUpdated applies only its changes, and each moves the version', () => {
    const user = foldUser(
      stream(userCreated, [KeywardEvent.UserUpdated, { userId: 'u1', changes: { disabled: true } }], [KeywardEvent.UserUpdated, { userId: 'u1', changes: { permissions: [] } }]),
    );
    expect(user).toMatchObject({ name: 'A', disabled: true, permissions: [], version: 3 });
  });
});
