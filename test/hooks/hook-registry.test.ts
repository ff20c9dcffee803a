import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HookEvent, HookRegistry } from '../../src/hooks/hook-registry.js';
import { createSessionEndHandler } from '../../src/hooks/session-end-handler.js';
import { LearnedSkillsStorage } from '../../src/storage/learned-skills-storage.js';

describe('HookRegistry', () => {
  it('passes one context object to every handler of the event, in order', async () => {
    const registry = new HookRegistry();
    const seen: string[] = [];
    registry.register({
      event: HookEvent.SESSION_END,
      handler: (ctx) => seen.push(`a:${String(ctx.session_id)}`),
    });
    registry.register({
      event: HookEvent.SESSION_END,
      handler: async (ctx) => seen.push(`b:${String(ctx.session_id)}`),
    });
    registry.register({ event: HookEvent.SESSION_START, handler: () => seen.push('start') });
    const results = await registry.fire(HookEvent.SESSION_END, { session_id: 's1' });
    expect(seen).toEqual(['a:s1', 'b:s1']);
    expect(results.every((r) => r.success)).toBe(true);
  });

  it('reports a throwing handler and a hanging one without stopping the others', async () => {
    const registry = new HookRegistry();
    registry.register({
      event: HookEvent.STOP,
      name: 'boom',
      handler: () => {
        throw new Error('kaput');
      },
    });
    registry.register({
      event: HookEvent.STOP,
      name: 'hang',
      timeoutMs: 50,
      handler: () => new Promise(() => {}),
    });
    registry.register({ event: HookEvent.STOP, name: 'ok', handler: () => 42 });
    const results = await registry.fire(HookEvent.STOP, {});
    expect(results.map((r) => [r.name, r.success])).toEqual([
      ['boom', false],
      ['hang', false],
      ['ok', true],
    ]);
    expect(results[0]?.error).toBe('kaput');
    expect(results[1]?.timedOut).toBe(true);
    expect(results[2]?.value).toBe(42);
  });

  it('unregisters by id or by handler', async () => {
    const registry = new HookRegistry();
    const handler = () => 1;
    const id = registry.register({ event: HookEvent.PRE_COMPACT, handler });
    registry.register({ event: HookEvent.PRE_COMPACT, handler });
    expect(registry.unregister(id)).toBe(true);
    expect(registry.handlers(HookEvent.PRE_COMPACT)).toHaveLength(1);
    expect(registry.unregister(handler)).toBe(true);
    expect(registry.unregister(handler)).toBe(false);
    expect(await registry.fire(HookEvent.PRE_COMPACT)).toEqual([]);
  });

  it('rejects an unknown event and a non-function handler', () => {
    const registry = new HookRegistry();
    expect(() => registry.register({ event: 'Nope' as HookEvent, handler: () => 1 })).toThrow(
      /event/,
    );
    expect(() => registry.register({ event: HookEvent.STOP, handler: 'x' as never })).toThrow(
      /handler/,
    );
  });
});

describe("the seed's session-end handler", () => {
  it('evaluates, extracts when worthwhile and stores for the user', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-hook-'));
    try {
      const storage = new LearnedSkillsStorage({ storageDir: dir });
      const registry = new HookRegistry();
      registry.register({
        event: HookEvent.SESSION_END,
        handler: createSessionEndHandler({ storage }),
      });
      const [good] = await registry.fire(HookEvent.SESSION_END, {
        user_id: 'u1',
        session_id: 's1',
        interaction_count: 20,
        corrections_count: 3,
        error_resolutions: 2,
        preferences_count: 1,
        interactions: [
          { role: 'user', content: 'Install the deps.' },
          { role: 'assistant', content: 'Ran npm install.' },
          { role: 'user', content: "No, we use pnpm in this repo, not npm. Don't use npm." },
        ],
      });
      expect(good?.value).toMatchObject({ success: true, quality: 'GOOD' });
      const [skip] = await registry.fire(HookEvent.SESSION_END, {
        user_id: 'u1',
        interaction_count: 1,
      });
      expect(skip?.value).toEqual({ success: true, quality: 'SKIP', patternsStored: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
