/**
 * The small interface every transcript reader implements.
 * @module
 */
import type { Session, TranscriptFormat } from '../model/session.js';

/** Options for {@link TranscriptReader.read}. */
export interface ReadOptions {
  /** The file name the text came from; used for session ids when the transcript has none. */
  sourceName?: string;
}

/** What a reader produced. Aider files hold many sessions; every other format gives one. */
export interface ReadResult {
  sessions: Session[];
}

/**
 * One reader per transcript format.
 *
 * `detect` looks at the first few kilobytes and returns a confidence from 0 (not this
 * format) to 1 (certainly this format). `read` never throws on malformed content: bad
 * records are counted in `Session.skipped` and reading goes on.
 */
export interface TranscriptReader {
  format: TranscriptFormat;
  detect(sample: string): number;
  read(text: string, options: ReadOptions): ReadResult;
}
