// Child process for child.test.ts: starts `sleep 300` through the child guard, prints its pid, then waits to be
// killed. With the guard, the sleep must die with this process even on SIGKILL.
import { spawnGuarded } from '../../server/util/child.ts';

const child = spawnGuarded('sleep', ['300'], { stdio: 'ignore' });
child.once('spawn', () => process.stdout.write(`${child.pid}\n`));
setInterval(() => undefined, 1000);
