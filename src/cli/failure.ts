// The CLI's one top-level error rule (every command, both engines): an InputError is the user's mistake → one
// line naming what was wrong, exit 2; anything else is unexpected → one line, exit 1. A stack trace never reaches
// the terminal (jobs with a run folder keep it in the run's log.txt); MIMLAB_DEBUG=1 prints it for developers.
import { isInputError } from '../util/input-error';
import { EXIT } from './jobs';

/** The first line of an error's message (messages name the field; the rest would be noise on a terminal). */
export function errorLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n').find((l) => l.trim()) ?? (err instanceof Error ? err.name : 'unknown error');
}

/** Writes the error's line to stderr and returns the exit code. */
export function reportFailure(err: unknown, write: (text: string) => void = (t) => process.stderr.write(t), env: NodeJS.ProcessEnv = process.env): number {
  if (isInputError(err)) {
    write(`error: ${errorLine(err)}\n`);
    return EXIT.usage;
  }
  write(`error: ${errorLine(err)} (an internal error, not a mistake in the input; MIMLAB_DEBUG=1 prints its stack trace)\n`);
  if (env.MIMLAB_DEBUG && err instanceof Error && err.stack) write(`${err.stack}\n`);
  return EXIT.failed;
}

/** Errors thrown outside any command's await chain (a timer, an event handler) follow the same rule. */
export function exitOnUncaught(): void {
  const last = (err: unknown): never => process.exit(reportFailure(err));
  process.once('uncaughtException', last);
  process.once('unhandledRejection', last);
}
