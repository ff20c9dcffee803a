/**
 * Read + evaluate + extract throughput over every transcript fixture, on one core.
 * Run: npm run bench -- pipeline
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SessionEvaluator } from '../src/evaluate/session-evaluator.js';
import { detectSignals } from '../src/evaluate/signals.js';
import { extractionPrompt } from '../src/extract/model-extractor.js';
import { extractSessionPatterns } from '../src/extract/session-extractor.js';
import type { Turn } from '../src/model/session.js';
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

type Stage = 'read' | 'full' | 'prompt';

/**
 * Prints MB/s and sessions/s for read alone, for read + evaluate + extract, and for read +
 * the model extractor's prompt (what is done before a model is called), and the time to
 * build the prompt of one huge session.
 */
export async function benchPipeline(): Promise<void> {
  const files = listFiles(FIXTURES).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
  const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  const evaluator = new SessionEvaluator();
  const stage = (kind: Stage) => {
    let sessions = 0;
    for (const f of files) {
      for (const session of parseTranscript(f.text, { sourceName: f.path }).sessions) {
        sessions++;
        if (kind === 'prompt') extractionPrompt(session);
        if (kind !== 'full') continue;
        const signals = detectSignals(session);
        evaluator.evaluateSession(session, signals);
        extractSessionPatterns(session, {}, signals);
      }
    }
    return sessions;
  };
  const measure = (kind: Stage) => {
    stage(kind); // warm up
    let rounds = 0;
    let sessions = 0;
    const start = performance.now();
    while (performance.now() - start < 2000 || rounds < 3) {
      sessions += stage(kind);
      rounds++;
    }
    const seconds = (performance.now() - start) / 1000;
    return { mbps: (bytes * rounds) / 1e6 / seconds, sps: sessions / seconds };
  };
  const read = measure('read');
  const full = measure('full');
  const prompt = measure('prompt');
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
  console.log(
    `read + model prompt          ${prompt.mbps.toFixed(1).padStart(8)} MB/s ${prompt.sps.toFixed(0).padStart(8)} sessions/s   (before any model call)`,
  );
  const turns: Turn[] = Array.from({ length: 60_000 }, (_, index) => ({
    index,
    role: index % 2 ? 'assistant' : 'user',
    text: 'a sentence of ordinary words '.repeat(20),
    toolCalls:
      index % 2
        ? [
            {
              name: 'Bash',
              input: 'npm test',
              output: `${'log line\n'.repeat(2000)}Error: boom`,
              isError: true,
            },
          ]
        : [],
  }));
  const huge = { id: 'huge', format: 'claude-code' as const, skipped: 0, turns };
  const started = performance.now();
  const digest = extractionPrompt(huge);
  console.log(
    `model prompt of a 60 000-turn session ${(performance.now() - started).toFixed(0).padStart(6)} ms (${digest.length} characters)`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename))
  await benchPipeline();
