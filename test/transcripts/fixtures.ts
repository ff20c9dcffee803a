/**
 * The transcript fixtures under test/fixtures/transcripts, grouped by format.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRANSCRIPT_FORMATS, type TranscriptFormat } from '../../src/model/session.js';

/** Folder of the transcript fixtures. */
export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/transcripts/', import.meta.url));

/** One fixture file. */
export interface Fixture {
  format: TranscriptFormat;
  name: string;
  path: string;
  text: string;
}

/** Every fixture, one folder per format (folder name = format id). */
export function loadFixtures(): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const folder of readdirSync(FIXTURE_DIR, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    const format = TRANSCRIPT_FORMATS.find((f) => f === folder.name);
    if (format === undefined) throw new Error(`fixture folder ${folder.name} is not a format`);
    for (const name of readdirSync(join(FIXTURE_DIR, folder.name)).sort()) {
      const path = join(FIXTURE_DIR, folder.name, name);
      fixtures.push({ format, name, path, text: readFileSync(path, 'utf8') });
    }
  }
  return fixtures;
}

/** The text of one fixture, by `<format>/<file>`. */
export function fixtureText(relative: string): string {
  return readFileSync(join(FIXTURE_DIR, relative), 'utf8');
}
