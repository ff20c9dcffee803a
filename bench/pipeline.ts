/**
 * Read + evaluate + extract throughput over every transcript fixture, on one core.
 * Run: npm run bench -- pipeline
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SessionEvaluator } from '../src/evaluate/session-evaluator.js';
import { detectSignals } from '../src/evaluate/signals.js';
import { extractSessionPatterns } from '../src/extract/session-extractor.js';
import { parseTranscript } from '../src/transcripts/index.js';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures/transcripts');

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else if (/\.(jsonl|json|md)$/.test(name) && !/SOURCES|README/i.test(name)) out.push(path);
  }
  return out;
}

/** Prints MB/s and sessions/s for read alone and for read + evaluate + extract. */
export async function benchPipeline(): Promise<void> {
  const files = listFiles(FIXTURES).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
  const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  const evaluator = new SessionEvaluator();
  const stage = (full: boolean) => {
    let sessions = 0;
    for (const f of files) {
      for (const session of parseTranscript(f.text, { sourceName: f.path }).sessions) {
        sessions++;
        if (!full) continue;
        const signals = detectSignals(session);
        evaluator.evaluateSession(session, signals);
        extractSessionPatterns(session, {}, signals);
      }
    }
    return sessions;
  };
  const measure = (full: boolean) => {
    stage(full); // warm up
    let rounds = 0;
    let sessions = 0;
    const start = performance.now();
    while (performance.now() - start < 2000 || rounds < 3) {
      sessions += stage(full);
      rounds++;
    }
    const seconds = (performance.now() - start) / 1000;
    return { mbps: (bytes * rounds) / 1e6 / seconds, sps: sessions / seconds };
  };
  const read = measure(false);
  const full = measure(true);
  console.log(`\n== pipeline: ${files.length} fixture files, ${(bytes / 1e6).toFixed(2)} MB`);
  console.log(
    `read only                    ${read.mbps.toFixed(1).padStart(8)} MB/s ${read.sps.toFixed(0).padStart(8)} sessions/s`,
  );
  console.log(
    `read + evaluate + extract    ${full.mbps.toFixed(1).padStart(8)} MB/s ${full.sps.toFixed(0).padStart(8)} sessions/s`,
  );
  console.log(
    `extraction share of the time ${(100 * (1 - full.mbps / read.mbps)).toFixed(0).padStart(7)} %   (target: >= 20 MB/s read+evaluate+extract)`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename))
  await benchPipeline();
