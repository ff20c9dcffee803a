/**
 * Reading speed of the transcript readers: reads every fixture under
 * test/fixtures/transcripts repeatedly (at least one second per format) and prints MB/s and
 * sessions/s per format and in total. Runs standalone (`node dist/bench/transcripts.js`)
 * or from bench/run.ts.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TRANSCRIPT_FORMATS, type TranscriptFormat } from '../src/model/session.js';
import { parseTranscript } from '../src/transcripts/index.js';

/** Works from dist/bench/ (built), bench/ (source) and the repository root. */
function fixtureDir(): string {
  const candidates = [
    resolve(import.meta.dirname, '../../test/fixtures/transcripts'),
    resolve(import.meta.dirname, '../test/fixtures/transcripts'),
    resolve(process.cwd(), 'test/fixtures/transcripts'),
  ];
  for (const dir of candidates) {
    try {
      readdirSync(dir);
      return dir;
    } catch {
      // try the next one
    }
  }
  throw new Error(`transcript fixtures not found in ${candidates.join(' or ')}`);
}

interface Figures {
  format: TranscriptFormat | 'total';
  bytes: number;
  sessions: number;
  seconds: number;
}

function measure(
  format: TranscriptFormat,
  files: readonly { name: string; text: string }[],
): Figures {
  const bytesPerRound = files.reduce((sum, f) => sum + Buffer.byteLength(f.text), 0);
  let bytes = 0;
  let sessions = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  // At least one second of work and at least three rounds.
  for (let round = 0; elapsed < 1 || round < 3; round++) {
    for (const file of files) {
      sessions += parseTranscript(file.text, { format, sourceName: file.name }).sessions.length;
    }
    bytes += bytesPerRound;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return { format, bytes, sessions, seconds: elapsed };
}

function line(f: Figures): string {
  const mb = f.bytes / 1024 / 1024;
  return `${f.format.padEnd(13)} ${(mb / f.seconds).toFixed(1).padStart(8)} MB/s ${(
    f.sessions / f.seconds
  )
    .toFixed(0)
    .padStart(9)} sessions/s  (${mb.toFixed(1)} MB in ${f.seconds.toFixed(2)} s)`;
}

/** Prints reading throughput per format and in total. */
export async function benchTranscripts(): Promise<void> {
  const dir = fixtureDir();
  console.log('\ntranscripts: read every fixture repeatedly (parseTranscript, format given)');
  const all: Figures[] = [];
  for (const format of TRANSCRIPT_FORMATS) {
    let names: string[];
    try {
      names = readdirSync(join(dir, format)).sort();
    } catch {
      continue;
    }
    const files = names.map((name) => ({
      name,
      text: readFileSync(join(dir, format, name), 'utf8'),
    }));
    if (files.length === 0) continue;
    const figures = measure(format, files);
    all.push(figures);
    console.log(line(figures));
  }
  const total: Figures = {
    format: 'total',
    bytes: all.reduce((s, f) => s + f.bytes, 0),
    sessions: all.reduce((s, f) => s + f.sessions, 0),
    seconds: all.reduce((s, f) => s + f.seconds, 0),
  };
  console.log(line(total));
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  await benchTranscripts();
}
