import middy from '@middy/core';

/** Placeholder-free stub replaced by the Workflow issue: echoes the input it was given after a shape check. */
export const validateInput = async (event: unknown): Promise<{ valid: true; input: unknown }> => {
  if (typeof event !== 'object' || event === null) {
    const err = new Error('The execution input must be a JSON object.');
    err.name = 'Migration.InputInvalid';
    throw err;
  }
  return { valid: true, input: event };
};

export const handler = middy(validateInput);
