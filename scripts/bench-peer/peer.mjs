// The peer side of make bench-peer: reads the same JSON Lines as `kiln sfn conformance`
// ({id, definition, input} a line) on stdin, runs every case through aws-local-stepfunctions in
// this one Node process, and writes {id, status, output, error, cause} a line to stdout, in order.
// Like kiln, it builds each distinct definition once (keyed by its JSON text) and buffers output.
import { readFileSync, writeSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';

const lines = readFileSync(0, 'utf8').split('\n');
const machines = new Map();
const out = [];
for (const line of lines) {
  if (line.trim() === '') continue;
  const c = JSON.parse(line);
  const text = typeof c.definition === 'string' ? c.definition : JSON.stringify(c.definition);
  let sm = machines.get(text);
  if (sm === undefined) {
    sm = new StateMachine(JSON.parse(text));
    machines.set(text, sm);
  }
  const res = { id: c.id, status: 'SUCCEEDED', output: null, error: null, cause: null };
  try {
    res.output = await sm.run(c.input ?? {}).result;
  } catch (err) {
    res.status = 'FAILED';
    res.error = err.name ?? 'Error';
    res.cause = err.message ?? String(err);
  }
  out.push(JSON.stringify(res));
}
out.push('');
const buf = Buffer.from(out.join('\n'));
for (let off = 0; off < buf.length; ) off += writeSync(1, buf, off);
