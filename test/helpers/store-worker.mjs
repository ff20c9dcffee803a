// A writer process for the store reliability tests. It imports the compiled library
// (run `npm run build` first) and takes one JSON argument:
//   { mode: 'save' | 'loop', store: StoreConfig, userId, prefix, count?, maxPatterns }
// 'save' saves `count` patterns one call each, then prints "done".
// 'loop' prints "ready", then saves patterns forever, printing each id once its save returned
// (stdout to a pipe is synchronous on Linux, so a printed id was durably acknowledged).
import { createPattern } from '../../dist/src/model/pattern.js';
import { openStore } from '../../dist/src/store/open-store.js';

const job = JSON.parse(process.argv[2] ?? '{}');
const store = await openStore(job.store);
const make = (i) =>
  createPattern({
    patternId: `${job.prefix}-${i}`,
    category: 'error_resolution',
    trigger: `worker ${job.prefix} pattern ${i} trigger`,
    context: `context ${i} `.repeat(1 + (i % 7)),
    resolution: `resolution ${i} for ${job.prefix}`,
    confidence: ((i * 37) % 100) / 100,
    tags: ['worker', job.prefix],
    sourceSession: `session-${job.prefix}`,
  });

if (job.mode === 'save') {
  for (let i = 0; i < job.count; i++) {
    await store.savePatterns(job.userId, [make(i)], { maxPatterns: job.maxPatterns });
  }
  await store.close();
  process.stdout.write('done\n');
} else {
  process.stdout.write('ready\n');
  for (let i = 0; ; i++) {
    const p = make(i);
    await store.savePatterns(job.userId, [p], { maxPatterns: job.maxPatterns });
    process.stdout.write(`${p.patternId}\n`);
  }
}
