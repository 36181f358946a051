// Runs the CLI from source in a child process (tests that kill it): node --require tsx/cjs cli-entry.ts ARGS
import { main } from '../../cli/main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  },
);
