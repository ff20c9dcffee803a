/**
 * Transcript reading: the readers, format detection, and reading text or files into
 * normalised sessions.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { AttuneError, ErrorCode } from '../errors.js';
import { TRANSCRIPT_FORMATS, type TranscriptFormat } from '../model/session.js';
import { aiderReader } from './aider.js';
import { cctraceReader } from './cctrace.js';
import { claudeCodeReader } from './claude-code.js';
import { codexReader } from './codex.js';
import { interactionsReader } from './interactions.js';
import { openaiReader } from './openai.js';
import { baseName, stripBom } from './shared.js';
import { specstoryReader } from './specstory.js';
import type { ReadResult, TranscriptReader } from './types.js';

export { sessionFromInteractions } from './interactions.js';
export type { ReadOptions, ReadResult, TranscriptReader } from './types.js';

/** Every reader, one per format, in {@link TRANSCRIPT_FORMATS} order. */
export const TRANSCRIPT_READERS: Readonly<Record<TranscriptFormat, TranscriptReader>> = {
  'claude-code': claudeCodeReader,
  codex: codexReader,
  specstory: specstoryReader,
  aider: aiderReader,
  cctrace: cctraceReader,
  openai: openaiReader,
  interactions: interactionsReader,
};

/** How much of the text detection looks at. */
const SAMPLE_CHARS = 64 * 1024;
/** Below this confidence no format is chosen. */
const MIN_CONFIDENCE = 0.3;

function unknownFormat(message: string): AttuneError {
  return new AttuneError(ErrorCode.UNKNOWN_FORMAT, message, {
    suggestion: `Known formats: ${TRANSCRIPT_FORMATS.join(', ')}. Pass one with --format.`,
  });
}

/**
 * The format of a transcript, judged from its first 64 KB.
 * @throws AttuneError UNKNOWN_FORMAT when no reader recognises the text; the suggestion
 * lists the known formats.
 */
export function detectFormat(text: string): TranscriptFormat {
  const sample = stripBom(text.slice(0, SAMPLE_CHARS));
  let best: TranscriptFormat | undefined;
  let bestScore = 0;
  for (const format of TRANSCRIPT_FORMATS) {
    const score = TRANSCRIPT_READERS[format].detect(sample);
    if (score > bestScore) {
      best = format;
      bestScore = score;
    }
  }
  if (best === undefined || bestScore < MIN_CONFIDENCE) {
    throw unknownFormat('transcript: the format could not be recognised');
  }
  return best;
}

/** Narrows a user-supplied format name. */
function checkFormat(format: string): TranscriptFormat {
  const known = TRANSCRIPT_FORMATS.find((f) => f === format);
  if (known === undefined) throw unknownFormat(`format: unknown transcript format "${format}"`);
  return known;
}

/** Options for {@link parseTranscript}. */
export interface ParseTranscriptOptions {
  /** One of {@link TRANSCRIPT_FORMATS}; detected from the content when missing. */
  format?: string;
  /** The file name, used for session ids when the transcript has none. */
  sourceName?: string;
}

/**
 * Reads transcript text into sessions. Empty or blank text gives no sessions. Malformed
 * records are counted in `Session.skipped`, never thrown.
 * @throws AttuneError UNKNOWN_FORMAT for an unknown `format`, or when detection fails.
 */
export function parseTranscript(text: string, options: ParseTranscriptOptions = {}): ReadResult {
  const format = options.format === undefined ? undefined : checkFormat(options.format);
  const clean = stripBom(text);
  if (clean.trim() === '') return { sessions: [] };
  const reader = TRANSCRIPT_READERS[format ?? detectFormat(clean)];
  return reader.read(
    clean,
    options.sourceName === undefined ? {} : { sourceName: options.sourceName },
  );
}

/** True when the start of the buffer looks like binary data rather than text. */
function looksBinary(buffer: Buffer): boolean {
  const sample = buffer.subarray(0, 8192);
  if (sample.includes(0)) return true;
  const text = sample.toString('utf8');
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c)) {
      bad++;
    }
  }
  // A cut multi-byte character at the end of the sample is not binary.
  return bad > 8 && bad / Math.max(1, text.length) > 0.05;
}

/** Options for {@link readTranscriptFile}. */
export interface ReadTranscriptFileOptions {
  /** One of {@link TRANSCRIPT_FORMATS}; detected from the content when missing. */
  format?: string;
}

/**
 * Reads a transcript file into sessions (see {@link parseTranscript}).
 * @throws AttuneError NOT_FOUND when the file does not exist, IO when it cannot be read,
 * INVALID_ARGUMENT when it is binary, UNKNOWN_FORMAT as {@link parseTranscript}.
 */
export async function readTranscriptFile(
  path: string,
  options: ReadTranscriptFileOptions = {},
): Promise<ReadResult> {
  if (options.format !== undefined) checkFormat(options.format);
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (error) {
    const code = isRecordWithCode(error) ? error.code : undefined;
    if (code === 'ENOENT') {
      throw new AttuneError(ErrorCode.NOT_FOUND, `transcript: no file at ${path}`, {
        cause: error,
      });
    }
    if (code === 'EISDIR') {
      throw new AttuneError(ErrorCode.INVALID_ARGUMENT, `transcript: ${path} is a directory`, {
        suggestion: 'Pass the path of one transcript file.',
        cause: error,
      });
    }
    throw new AttuneError(ErrorCode.IO, `transcript: cannot read ${path}`, { cause: error });
  }
  if (looksBinary(buffer)) {
    throw new AttuneError(
      ErrorCode.INVALID_ARGUMENT,
      `transcript: ${path} is a binary file, not a transcript`,
      { suggestion: `Pass a text transcript in one of: ${TRANSCRIPT_FORMATS.join(', ')}.` },
    );
  }
  const parseOptions: ParseTranscriptOptions = { sourceName: baseName(path) };
  if (options.format !== undefined) parseOptions.format = options.format;
  return parseTranscript(buffer.toString('utf8'), parseOptions);
}

function isRecordWithCode(value: unknown): value is { code: unknown } {
  return typeof value === 'object' && value !== null && 'code' in value;
}
