/**
 * Our entries in Claude Code's settings.json, merged in and taken out again.
 *
 * Claude Code reads hooks from `"hooks"`: event name -> list of matcher groups
 * `{ "matcher"?: string, "hooks": [{ "type": "command", "command": string, "timeout"?: seconds }] }`.
 * We add one group per event holding one command handler. Our handlers are recognised by
 * the shell comment {@link HOOK_MARKER} at the end of the command (`sh`, `bash`, `zsh` and
 * PowerShell ignore it; `attune hook` ignores it where a shell passes it on), so uninstall
 * removes exactly them, whatever command prefix they were installed with, and nothing the
 * user wrote. Everything else in the settings is left as it was, in its order.
 * @module
 */
import { AttuneError, ErrorCode } from '../../errors.js';
import { HOOK_EVENTS, type HookName } from './payload.js';

/** The comment that ends every command we install. */
export const HOOK_MARKER = '# attune-learning';

/** A JSON object as read from settings.json. */
export type JsonObject = { [key: string]: unknown };

/**
 * Seconds Claude Code lets each of our hooks run. SessionEnd hooks are additionally capped
 * by Claude Code (1.5 s unless `CLAUDE_CODE_SESSIONEND_HOOKS_TIMEOUT_MS` raises it), which
 * is why large transcripts are learned from in a detached child.
 */
export const HOOK_TIMEOUTS: Record<HookName, number> = {
  'session-start': 10,
  'user-prompt-submit': 10,
  'pre-compact': 60,
  'session-end': 10,
};

/** The hooks installed, in the order they are written. */
export const INSTALLED_HOOKS: readonly HookName[] = [
  'session-start',
  'user-prompt-submit',
  'pre-compact',
  'session-end',
];

/** The command line of hook `hook` for CLI prefix `prefix` (e.g. `attune`). */
export function hookCommand(prefix: string, hook: HookName): string {
  return `${prefix} hook ${hook} ${HOOK_MARKER}`;
}

/** True when a handler's command is one we installed. */
export function isOurCommand(command: unknown): boolean {
  return typeof command === 'string' && command.trimEnd().endsWith(HOOK_MARKER);
}

/** The handler we install for `hook`. */
export function hookHandler(prefix: string, hook: HookName): JsonObject {
  return { type: 'command', command: hookCommand(prefix, hook), timeout: HOOK_TIMEOUTS[hook] };
}

/** What a merge changed. */
export interface SettingsChange {
  settings: JsonObject;
  /** Events whose entry was added or rewritten. */
  added: string[];
  /** Events whose entry was removed. */
  removed: string[];
}

/**
 * Settings with our hooks in: each event gets one group with our handler, unless exactly
 * that handler is already there (then nothing changes, so installing twice equals once).
 * A stale handler of ours (other prefix or timeout) is replaced. Does not modify `input`.
 * Throws INVALID_ARGUMENT when `hooks`, or an event's entry, has the wrong shape.
 */
export function addOurHooks(input: JsonObject, prefix: string): SettingsChange {
  const settings = structuredClone(input);
  const hooks = hooksObject(settings, true);
  const added: string[] = [];
  for (const hook of INSTALLED_HOOKS) {
    const event = HOOK_EVENTS[hook];
    const wanted = hookHandler(prefix, hook);
    const groups = eventGroups(hooks, event);
    const ours = groups.flatMap((g) => handlersOf(g, event).filter((h) => isOurCommand(h.command)));
    if (ours.length === 1 && sameHandler(ours[0], wanted)) continue;
    const kept = removeOurs(groups);
    kept.push({ hooks: [wanted] });
    hooks[event] = kept;
    added.push(event);
  }
  return { settings, added, removed: [] };
}

/**
 * Settings without our hooks: our handlers are removed, then any group, event entry or
 * `hooks` object that removal left empty. Everything else stays. Does not modify `input`.
 */
export function removeOurHooks(input: JsonObject): SettingsChange {
  const settings = structuredClone(input);
  if (settings.hooks === undefined) return { settings, added: [], removed: [] };
  const hooks = hooksObject(settings, false);
  const removed: string[] = [];
  for (const [event, value] of Object.entries(hooks)) {
    if (!Array.isArray(value)) continue;
    const groups = value as unknown[];
    const had = groups.some(
      (g) =>
        isObject(g) &&
        Array.isArray(g.hooks) &&
        g.hooks.some((h) => isObject(h) && isOurCommand(h.command)),
    );
    if (!had) continue;
    const kept = removeOurs(groups);
    if (kept.length === 0) delete hooks[event];
    else hooks[event] = kept;
    removed.push(event);
  }
  if (removed.length > 0 && Object.keys(hooks).length === 0) delete settings.hooks;
  return { settings, added: [], removed };
}

/** The events that hold a handler of ours, with its command. */
export function listOurHooks(settings: JsonObject): { event: string; command: string }[] {
  const hooks = settings.hooks;
  if (!isObject(hooks)) return [];
  const found: { event: string; command: string }[] = [];
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) continue;
    for (const g of groups) {
      if (!isObject(g) || !Array.isArray(g.hooks)) continue;
      for (const h of g.hooks) {
        if (isObject(h) && isOurCommand(h.command))
          found.push({ event, command: String(h.command) });
      }
    }
  }
  return found;
}

function hooksObject(settings: JsonObject, create: boolean): JsonObject {
  if (settings.hooks === undefined && create) settings.hooks = {};
  const hooks = settings.hooks;
  if (!isObject(hooks)) {
    throw new AttuneError(ErrorCode.INVALID_ARGUMENT, 'settings: "hooks" must be a JSON object', {
      suggestion: 'Fix the settings file by hand, then run the command again.',
    });
  }
  return hooks;
}

function eventGroups(hooks: JsonObject, event: string): unknown[] {
  const value = hooks[event];
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new AttuneError(ErrorCode.INVALID_ARGUMENT, `settings: "hooks.${event}" must be a list`, {
      suggestion: 'Fix the settings file by hand, then run the command again.',
    });
  }
  return value;
}

function handlersOf(group: unknown, event: string): JsonObject[] {
  if (!isObject(group) || !Array.isArray(group.hooks)) {
    throw new AttuneError(
      ErrorCode.INVALID_ARGUMENT,
      `settings: every entry of "hooks.${event}" must be an object with a "hooks" list`,
      { suggestion: 'Fix the settings file by hand, then run the command again.' },
    );
  }
  return group.hooks.filter(isObject);
}

/** The groups without our handlers; a group left empty by that is dropped. */
function removeOurs(groups: readonly unknown[]): unknown[] {
  const kept: unknown[] = [];
  for (const group of groups) {
    if (!isObject(group) || !Array.isArray(group.hooks)) {
      kept.push(group);
      continue;
    }
    const rest = group.hooks.filter((h) => !(isObject(h) && isOurCommand(h.command)));
    if (rest.length === group.hooks.length) kept.push(group);
    else if (rest.length > 0) kept.push({ ...group, hooks: rest });
  }
  return kept;
}

function sameHandler(a: JsonObject | undefined, b: JsonObject): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
