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

/**
 * Every fixture, one folder per format (folder name = format id). A folder that is not a
 * format (e.g. `handwritten-2/`) groups format folders of its own.
 */
export function loadFixtures(dir: string = FIXTURE_DIR, prefix = ''): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const folder of readdirSync(dir, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    const format = TRANSCRIPT_FORMATS.find((f) => f === folder.name);
    if (format === undefined) {
      if (prefix) throw new Error(`fixture folder ${prefix}${folder.name} is not a format`);
      fixtures.push(...loadFixtures(join(dir, folder.name), `${folder.name}/`));
      continue;
    }
    for (const name of readdirSync(join(dir, folder.name)).sort()) {
      const path = join(dir, folder.name, name);
      fixtures.push({ format, name: `${prefix}${name}`, path, text: readFileSync(path, 'utf8') });
    }
  }
  return fixtures;
}

/** The text of one fixture, by `<format>/<file>`. */
export function fixtureText(relative: string): string {
  return readFileSync(join(FIXTURE_DIR, relative), 'utf8');
}
