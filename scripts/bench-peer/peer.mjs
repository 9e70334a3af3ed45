// Runs the benchmark batch through aws-local-stepfunctions and prints {"runs","seconds"}.
// Usage: node peer.mjs BATCH_FILE RUNS
import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';

const [batchFile, runsArg] = process.argv.slice(2);
const batch = readFileSync(batchFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const runs = Number(runsArg || 1000);
const machines = batch.map((c) => new StateMachine(c.definition));
// One untimed pass lets the JIT warm up.
for (let i = 0; i < batch.length; i++) {
  await machines[i].run(batch[i].input).result;
}
const start = process.hrtime.bigint();
let n = 0;
for (let r = 0; r < runs; r++) {
  for (let i = 0; i < batch.length; i++) {
    const ex = machines[i].run(batch[i].input, { overrides: { waitTimeOverrides: {} } });
    await ex.result;
    n++;
  }
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ runs: n, seconds }));
