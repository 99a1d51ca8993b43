/** The local executor passes the shared executor suite. */
import { createLocalExecutor } from '../../../src/runner/executors/local.ts';
import { executorSuite } from '../executor-suite.ts';

executorSuite('local', async ({ kinds }) => createLocalExecutor({ kinds, slots: 2 }));
