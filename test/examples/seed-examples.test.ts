import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
let cwd: string;

function run(example: string): string {
  const script = join(root, 'dist/examples', `${example}.js`);
  if (!existsSync(script))
    throw new Error(`${script} is missing: run 'npm run build' first (npm test does)`);
  return execFileSync(process.execPath, [script], { cwd, encoding: 'utf8' });
}

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'attune-examples-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe("the seed's examples, run as programs", () => {
  it('quick start prints "Session quality: GOOD" and stores the correction', () => {
    const out = run('quickstart');
    expect(out).toContain('Session quality: GOOD');
    expect(out).toMatch(/Stored 1 pattern\(s\): [0-9a-f]{12}/);
    expect(existsSync(join(cwd, '.empathy/learned_skills/user123/patterns.json'))).toBe(true);
  });

  it('extraction, storage and context injection print the context block', () => {
    const out = run('extract-and-store');
    expect(out).toContain('## Learned Patterns');
    expect(out).toMatch(
      /\*\*\[ERROR_RESOLUTION\]\*\* Confidence: 0\.\d\d\nWhen: TypeError: 'NoneType' object has no attribute 'get'\nDo: Added null check before accessing attribute\./,
    );
    expect(out).toMatch(
      /\*\*\[PREFERENCE\]\*\* Confidence: 0\.\d\d\nWhen: .+\nDo: Prefer code examples over prose/,
    );
    expect(out).toMatch(/search\(eval\)=[1-9]/);
    expect(out).toContain('Learned patterns for user123');
  });

  it('skills, summary and the session-end hook behave as the seed says', () => {
    const out = run('skills-and-hooks');
    expect(out).toContain('Most used skill: Python Async Best Practices (1 use)');
    expect(out).toContain('"most_used_skill": "Python Async Best Practices"');
    expect(out).toMatch(
      /Session end hook: \{"success":true,"quality":"GOOD","patternsStored":\d+\}/,
    );
  });
});
