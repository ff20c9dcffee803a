/**
 * Writes learned patterns into an assistant's rules file (AGENTS.md, CLAUDE.md, Cursor rules,
 * Aider conventions), for assistants without session hooks. The block sits between markers,
 * so rewriting it is idempotent and the rest of the file is never touched.
 * @module
 */
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { AttuneError, ErrorCode } from '../errors.js';
import { isCode } from '../store/lock.js';

/** Rules-file targets and where each lives in a project. */
export const RULES_TARGETS = {
  'agents-md': 'AGENTS.md',
  'claude-md': 'CLAUDE.md',
  cursor: '.cursor/rules/attune-learned.mdc',
  aider: 'CONVENTIONS.md',
} as const;
export type RulesTarget = keyof typeof RULES_TARGETS;

/** Start marker; also tells our transcript readers the text is ours, not the user's. */
export const RULES_BEGIN =
  '<!-- attune-learning:begin (attune-learning:injected; regenerate with `attune rules`) -->';
export const RULES_END = '<!-- attune-learning:end -->';

/** Parses a target id, listing the valid ones on error. */
export function parseRulesTarget(value: string): RulesTarget {
  if (Object.hasOwn(RULES_TARGETS, value)) return value as RulesTarget;
  throw new AttuneError(
    ErrorCode.INVALID_ARGUMENT,
    `unknown rules target ${JSON.stringify(value)}; valid targets: ${Object.keys(RULES_TARGETS).join(', ')}`,
  );
}

/** The default path of a target's file in `projectRoot`. */
export function rulesPath(target: RulesTarget, projectRoot: string): string {
  return join(projectRoot, RULES_TARGETS[target]);
}

/**
 * Replaces (or appends, or with an empty `block` removes) our marked block in `existing`.
 * Text outside the markers is kept byte for byte.
 */
export function spliceRulesBlock(existing: string, block: string): string {
  const start = existing.indexOf(RULES_BEGIN);
  const end = start === -1 ? -1 : existing.indexOf(RULES_END, start);
  const body = block ? `${RULES_BEGIN}\n${block.trim()}\n${RULES_END}\n` : '';
  if (start !== -1 && end !== -1) {
    const after = existing.slice(end + RULES_END.length).replace(/^\n/, '');
    const before = existing.slice(0, start);
    return body
      ? before + body + after
      : (before.replace(/\n+$/, '\n') + after).replace(/^\n$/, '');
  }
  if (!body) return existing;
  if (!existing) return body;
  return `${existing.replace(/\n*$/, '\n\n')}${body}`;
}

/** The front matter Cursor needs for an always-applied rule. */
const CURSOR_FRONT_MATTER =
  '---\ndescription: Patterns learned from past sessions by attune-learning\nalwaysApply: true\n---\n\n';

/**
 * Writes `block` (the context block) into the target's file atomically; an empty block removes
 * ours. Returns the path written and whether it changed.
 */
export async function writeRulesFile(
  target: RulesTarget,
  path: string,
  block: string,
): Promise<{ path: string; changed: boolean }> {
  let existing = '';
  try {
    existing = await fs.readFile(path, 'utf8');
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
    if (target === 'cursor' && block) existing = CURSOR_FRONT_MATTER;
  }
  const next = spliceRulesBlock(existing, block);
  if (next === existing) return { path, changed: false };
  await fs.mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, next);
  return { path, changed: true };
}
