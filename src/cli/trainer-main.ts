// Entry of the trainer child process (forked by the extension host with an IPC channel; also runnable by hand).
// Usage: node dist/trainer.js pretrain|resume|probe … (the same arguments as the CLI).
import { runCommand } from './commands';
import { exitOnUncaught } from './failure';

exitOnUncaught();
runCommand(process.argv.slice(2)).then((code) => process.exit(code));
