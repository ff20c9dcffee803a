/**
 * Building tool results, and turning failures into error results a model can read.
 * @module
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AttuneError } from '../errors.js';

/** A successful result: `text` for the model, and `structured` for clients that read it. */
export function toolResult(text: string, structured?: Record<string, unknown>): CallToolResult {
  return {
    content: [{ type: 'text', text }],
    ...(structured === undefined ? {} : { structuredContent: structured }),
  };
}

/** An error result (`isError: true`) whose text says what failed and what to do instead. */
export function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/**
 * Runs a tool body and turns a thrown error into an error result instead of failing the
 * request: an {@link AttuneError} gives its code, message and suggestion; anything else its
 * message (and its stack on stderr, since it is a bug or an outage rather than bad input).
 */
export async function runTool(
  name: string,
  body: () => Promise<CallToolResult>,
): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof AttuneError) {
      return toolError(`${name} failed (${error.code}): ${error.describe()}`);
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `attune mcp: ${name}: ${error instanceof Error && error.stack ? error.stack : message}\n`,
    );
    return toolError(`${name} failed: ${message}`);
  }
}
