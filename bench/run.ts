/**
 * Runs every benchmark, or the ones named: npm run bench -- [pipeline] [transcripts] [stores] [hooks]
 * Figures are printed with ratios; compare within one run (machines here are shared and noisy).
 * @module
 */
const all = ['pipeline', 'transcripts', 'stores', 'hooks'] as const;
const chosen = process.argv.slice(2).filter((a) => (all as readonly string[]).includes(a));
const run = chosen.length ? chosen : all;

console.log(`attune-learning benchmarks on node ${process.version}, ${new Date().toISOString()}`);
for (const name of run) {
  switch (name) {
    case 'pipeline':
      await (await import('./pipeline.js')).benchPipeline();
      break;
    case 'transcripts':
      await (await import('./transcripts.js')).benchTranscripts();
      break;
    case 'stores':
      await (await import('./stores.js')).benchStores();
      break;
    case 'hooks':
      await (await import('./hooks.js')).benchHooks();
      break;
  }
}
