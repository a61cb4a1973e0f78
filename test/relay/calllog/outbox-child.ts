/**
 * A relay process as far as its outbox goes, for the kill -9 test: opens the outbox in the data
 * directory it is given, makes a few durable changes, says "ready" and waits to be killed.
 */
import { SqliteOutbox } from '../../../relay/src/calllog/sqlite-outbox';
import { keyed, T0 } from './outbox-jobs';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: outbox-child <data dir>');
const outbox = new SqliteOutbox({ dataDir });
outbox.add([keyed('a'), keyed('b'), keyed('c')], T0);
const [a, b, c] = outbox.due(T0, 3);
outbox.succeed(a!.id, [keyed('a', 'call-back-task')], T0 + 10);
outbox.retry(b!.id, T0 + 5_000, 'Kommo did not answer (503)', T0 + 10);
outbox.park(c!.id, 'Kommo refused POST /api/v4/calls (400)', T0 + 10);
outbox.rememberTask({ taskId: 77, phoneKey: '4155550100', dueAt: T0 + 3_600_000 });
outbox.add([keyed('d')], T0 + 20);
process.stdout.write('ready\n');
// Never closes: the test kills it.
setInterval(() => {}, 60_000);
