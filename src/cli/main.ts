// `mim-lab` command-line entry (bundled to dist/cli.js).
import { runCommand } from './commands';
import { exitOnUncaught } from './failure';

exitOnUncaught();
runCommand(process.argv.slice(2)).then((code) => process.exit(code));
