/**
 * HookRegistry: session lifecycle events and the handlers registered for them.
 * @module
 */
import { invalidArgument } from '../errors.js';

/** Lifecycle events a handler can listen to. Values match Claude Code's event names. */
export const HookEvent = {
  SESSION_START: 'SessionStart',
  SESSION_END: 'SessionEnd',
  PRE_COMPACT: 'PreCompact',
  STOP: 'Stop',
  USER_PROMPT_SUBMIT: 'UserPromptSubmit',
  PRE_TOOL_USE: 'PreToolUse',
  POST_TOOL_USE: 'PostToolUse',
} as const;
export type HookEvent = (typeof HookEvent)[keyof typeof HookEvent];

/** The one object a handler receives: whatever the caller passes for the event. */
export type HookContext = Record<string, unknown>;

/** A handler; it may return a value (or a promise of one) that ends up in its result. */
export type HookHandler = (context: HookContext) => unknown;

/** Options of {@link HookRegistry.register}. */
export interface RegisterHookOptions {
  event: HookEvent;
  handler: HookHandler;
  /** Shown in results. @default the function's name, or `handler-N` */
  name?: string;
  /** A handler still running after this long is reported as timed out. @default 30000 */
  timeoutMs?: number;
}

/** What one handler did when an event fired. */
export interface HookResult {
  name: string;
  event: HookEvent;
  success: boolean;
  /** The handler's return value, when it succeeded. */
  value?: unknown;
  /** The error message, when it threw or timed out. */
  error?: string;
  timedOut?: boolean;
  durationMs: number;
}

interface Registration {
  id: number;
  event: HookEvent;
  handler: HookHandler;
  name: string;
  timeoutMs: number;
}

const EVENTS = new Set<string>(Object.values(HookEvent));

/**
 * Registers handlers per event and fires them. One handler's exception or timeout is
 * reported in its result and never stops the others; handlers run one after another in
 * registration order.
 */
export class HookRegistry {
  #next = 1;
  #registrations: Registration[] = [];

  /** Registers a handler; returns an id for {@link unregister}. */
  register(options: RegisterHookOptions): number {
    if (!EVENTS.has(options?.event)) {
      invalidArgument(
        'event',
        `unknown hook event ${JSON.stringify(options?.event)}`,
        `Valid: ${[...EVENTS].join(', ')}.`,
      );
    }
    if (typeof options.handler !== 'function') invalidArgument('handler', 'must be a function');
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (!(timeoutMs > 0)) invalidArgument('timeoutMs', 'must be a positive number');
    const id = this.#next++;
    this.#registrations.push({
      id,
      event: options.event,
      handler: options.handler,
      name: options.name ?? (options.handler.name || `handler-${id}`),
      timeoutMs,
    });
    return id;
  }

  /** Removes a registration by id or handler; true when something was removed. */
  unregister(idOrHandler: number | HookHandler): boolean {
    const before = this.#registrations.length;
    this.#registrations = this.#registrations.filter((r) =>
      typeof idOrHandler === 'number' ? r.id !== idOrHandler : r.handler !== idOrHandler,
    );
    return this.#registrations.length !== before;
  }

  /** The names of the handlers registered for `event`, in order. */
  handlers(event: HookEvent): string[] {
    return this.#registrations.filter((r) => r.event === event).map((r) => r.name);
  }

  /** Runs every handler of `event` with `context`; resolves with one result per handler. */
  async fire(event: HookEvent, context: HookContext = {}): Promise<HookResult[]> {
    const results: HookResult[] = [];
    for (const r of this.#registrations.filter((x) => x.event === event)) {
      results.push(await runOne(r, context));
    }
    return results;
  }
}

async function runOne(r: Registration, context: HookContext): Promise<HookResult> {
  const started = performance.now();
  const base = { name: r.name, event: r.event };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), r.timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      Promise.resolve()
        .then(() => r.handler(context))
        .then((value) => ({ value })),
      timeout,
    ]);
    const durationMs = performance.now() - started;
    if (outcome === 'timeout') {
      return {
        ...base,
        success: false,
        timedOut: true,
        error: `timed out after ${r.timeoutMs} ms`,
        durationMs,
      };
    }
    return { ...base, success: true, value: outcome.value, durationMs };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...base, success: false, error: message, durationMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}
