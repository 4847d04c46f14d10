import { PenumbraError } from '@penumbra/errors';
import { consoleOutput, exitQuietlyOnClosedPipe } from './output';
import { buildProgram } from './program';

exitQuietlyOnClosedPipe(process.stdout);
exitQuietlyOnClosedPipe(process.stderr);
const out = consoleOutput();

buildProgram(out)
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    if (err instanceof PenumbraError) {
      out.fail(err.message, err.retriable ? 'this may pass on its own: check that Kafka and Redis run (penumbra stack status) and try again' : undefined);
    } else {
      out.fail(err instanceof Error ? (err.stack ?? err.message) : String(err));
    }
  });
