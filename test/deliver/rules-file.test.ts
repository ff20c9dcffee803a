import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RULES_BEGIN,
  RULES_END,
  spliceRulesBlock,
  writeRulesFile,
} from '../../src/deliver/rules-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attune-rules-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const block =
  '## Learned Patterns\n\n**[PREFERENCE]** Confidence: 0.90\nWhen: Naming tests\nDo: Use sentences.';

describe('rules files', () => {
  it('appends the block to an existing file, replaces it in place, and removes exactly it', async () => {
    const path = join(dir, 'AGENTS.md');
    const original = '# Agents\n\nRun `pnpm test` before committing.\n';
    writeFileSync(path, original);
    expect((await writeRulesFile('agents-md', path, block)).changed).toBe(true);
    const once = readFileSync(path, 'utf8');
    expect(once.startsWith(original)).toBe(true);
    expect(once).toContain(RULES_BEGIN);
    expect(once).toContain(RULES_END);
    expect((await writeRulesFile('agents-md', path, block)).changed).toBe(false);
    await writeRulesFile('agents-md', path, block.replace('0.90', '0.95'));
    expect(readFileSync(path, 'utf8').match(/attune-learning:begin/g)).toHaveLength(1);
    expect(readFileSync(path, 'utf8')).toContain('0.95');
    await writeRulesFile('agents-md', path, '');
    expect(readFileSync(path, 'utf8')).toBe(original);
  });

  it('keeps text after the block', () => {
    const existing = `intro\n\n${RULES_BEGIN}\nold\n${RULES_END}\ntail\n`;
    expect(spliceRulesBlock(existing, 'new')).toBe(
      `intro\n\n${RULES_BEGIN}\nnew\n${RULES_END}\ntail\n`,
    );
  });

  it('creates a Cursor rule with front matter', async () => {
    const path = join(dir, '.cursor/rules/attune-learned.mdc');
    await writeRulesFile('cursor', path, block);
    expect(readFileSync(path, 'utf8')).toMatch(
      /^---\ndescription: .+\nalwaysApply: true\n---\n\n<!-- attune-learning:begin/,
    );
  });
});
