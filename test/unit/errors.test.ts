import {
  AuthFailedError,
  InputInvalidError,
  MigrationErrorNames,
  TransientError,
  isMigrationError,
} from '../../lambdas/core/errors';

describe('error taxonomy', () => {
  it('gives each error the literal name the state machine matches', () => {
    expect(new InputInvalidError('bad').name).toBe('Migration.InputInvalid');
    expect(new TransientError('later').name).toBe('Migration.Transient');
    expect(new AuthFailedError('no').name).toBe('Migration.AuthFailed');
  });

  it('keeps structured details beside the message', () => {
    const err = new InputInvalidError('gates.pollIntervalSeconds must be ≥ 5', { field: 'gates.pollIntervalSeconds' });
    expect(err.details).toEqual({ field: 'gates.pollIntervalSeconds' });
    expect(isMigrationError(err)).toBe(true);
    expect(isMigrationError(new Error('plain'))).toBe(false);
  });

  it('lists every name once', () => {
    expect(new Set(MigrationErrorNames).size).toBe(MigrationErrorNames.length);
    expect(MigrationErrorNames.every((n) => n.startsWith('Migration.'))).toBe(true);
  });
});
