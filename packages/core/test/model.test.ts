import fc from 'fast-check';
import { INITIAL, opArb } from './model/ops';
import { checkEvents, start, stats, StepCommand } from './model/step';

/**
 * Model-based test (issue 14): random sequences of make_dev, make_dev_alias, destroy_dev,
 * dev_depends, mount/unmount (plain, jail, read-only, with rulesets), chmod, chown, unlink, mknod,
 * symlink, rename, setRuleset, applyRule, applyRuleset, stat, readdir, readlink, open (cloning on
 * a miss), read and close, and change-log wraps, with random credentials, run against the
 * reference model in ./model. After every step the step's outcome (value or error code), every
 * live mount's whole visible tree (names in readdir order, types, modes, owners, the device each
 * char node is, link targets), every device's open count and d_close count must equal the
 * model's; at the end of each run, the whole event stream (REGISTER, UNREGISTER, CREATE, DELETE,
 * CHANGE, LOOKUP, OPEN, CLOSE with name and mount). Every run starts from the INITIAL steps
 * (ops.ts). A failure prints the shrunk sequence as JSON steps: paste it, after `...INITIAL`,
 * into model-regressions.test.ts. FC_RUNS=n runs longer, FC_SEED=n replays a seed, FC_STATS=1
 * prints how often each operation ran and failed with each code.
 */
const RUNS = Number(process.env.FC_RUNS ?? 5000);
/** A slow machine stops early (passing) rather than running past a minute. */
const TIME_LIMIT_MS = process.env.FC_RUNS ? undefined : 45_000;
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

describe('devfs against its reference model', () => {
  afterAll(() => {
    if (process.env.FC_STATS) console.log([...stats].sort().map(([k, n]) => `${k} ${n}`).join('\n'));
  });

  test('every step, tree and error code agrees with the model', async () => {
    const commands = fc.commands([opArb.map((op) => new StepCommand(op))], { maxCommands: 60, size: 'max' });
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        const s = await start(INITIAL);
        try {
          await fc.asyncModelRun(() => s, cmds);
          await checkEvents(s.model, s.real);
        } finally {
          await s.real.dispose();
        }
      }),
      { numRuns: RUNS, seed: SEED, verbose: 1, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
  }, 600_000);
});
