// The one error type for mistakes in what a user gave (an argument, a config key, a file or folder): the CLI
// prints its message as one line and exits 2, before any work starts and before any run folder exists.
// Subclasses say where it was found (ConfigError, DatasetError, UsageError, …); anything else is unexpected.

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export function isInputError(err: unknown): err is InputError {
  return err instanceof InputError;
}
