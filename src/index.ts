/**
 * attune-learning: the public API. Every export in this file is public and semver-covered;
 * anything not exported here is internal.
 * @module
 */

export {
  CommandContext,
  type CommandContextOptions,
  evaluateCommand,
  patternsCommand,
} from './commands/command-context.js';
export { findLatestClaudeTranscript } from './config/claude-paths.js';
// Configuration
export {
  type AttuneConfig,
  configPath,
  type ExtractorConfig,
  findProjectRoot,
  loadConfig,
  resolveExtractor,
  resolveStoreConfig,
  resolveUserId,
} from './config/config.js';
export { DEFAULT_EXTRACTOR_SAMPLES, MAX_EXTRACTOR_SAMPLES } from './config/extractor-child.js';
// Delivery to assistants without hooks
export {
  parseRulesTarget,
  RULES_TARGETS,
  type RulesTarget,
  rulesPath,
  writeRulesFile,
} from './deliver/rules-file.js';
// Errors
export { AttuneError, type AttuneErrorOptions, ErrorCode, isAttuneError } from './errors.js';
// Evaluate
export {
  type EvaluationCounts,
  type EvaluationFactors,
  type SessionEvaluation,
  SessionEvaluator,
  type SessionEvaluatorOptions,
} from './evaluate/session-evaluator.js';
export {
  detectSignals,
  type SessionSignals,
  type Signal,
  type SignalKind,
} from './evaluate/signals.js';
export { reinforcePattern } from './extract/merge.js';
export {
  EXTRACTOR_SAMPLE_ENV,
  extractionPrompt,
  extractWithModel,
  MIN_PROJECT_FACT_CONFIDENCE,
  type ModelExtraction,
  type ModelExtractorOptions,
  mergeSamples,
  parseModelAnswer,
  partPrompt,
  patternsFromLessons,
  type SessionPart,
  sessionDigest,
  sessionParts,
} from './extract/model-extractor.js';
// Extract
export {
  type CorrectionInput,
  type ErrorResolutionInput,
  type ExtractOptions,
  type ExtractPatternsInput,
  PatternExtractor,
  type PreferenceInput,
} from './extract/pattern-extractor.js';
export {
  containsSecret,
  REDACTION_TYPES,
  type RedactionHit,
  type RedactionResult,
  redactSecrets,
} from './extract/redact.js';
export { extractSessionPatterns, type SessionExtractOptions } from './extract/session-extractor.js';
// Retrieve and format
export {
  CONTEXT_HEADING,
  formatContextBlock,
  formatPatternEntry,
} from './format/format-context.js';
// Claude Code integration
export {
  formatInjectedContext,
  INJECTED_MARKER_COMMENT,
} from './hooks/claude-code/context.js';
export { runSessionStartHook, runUserPromptSubmitHook } from './hooks/claude-code/inject.js';
export {
  hooksStatus,
  INSTALL_SCOPES,
  type InstallOptions,
  type InstallResult,
  type InstallScope,
  installHooks,
  uninstallHooks,
} from './hooks/claude-code/install.js';
export { runLearnHook } from './hooks/claude-code/learn-hook.js';
export { hookLogPath } from './hooks/claude-code/log.js';
export {
  type ClaudeHookEvent,
  HOOK_EVENTS,
  type HookName,
  type HookPayload,
  parseHookPayload,
} from './hooks/claude-code/payload.js';
// Hooks and commands
export {
  type HookContext,
  HookEvent,
  type HookHandler,
  HookRegistry,
  type HookResult,
  type RegisterHookOptions,
} from './hooks/hook-registry.js';
export {
  createSessionEndHandler,
  type SessionEndHandlerOptions,
} from './hooks/session-end-handler.js';
// Learn (the whole pipeline)
export {
  type LearnOptions,
  type LearnReport,
  learnFromSessions,
  learnFromTranscriptFile,
  learnFromTranscriptText,
  type SessionLearnReport,
} from './learn/learn.js';
export {
  editedPattern,
  type PatternEdit,
  REMEMBERED_CONFIDENCE,
  Redactor,
  rememberedPattern,
  type StatedLesson,
} from './learn/remember.js';
export {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  exportPatterns,
  type PatternExport,
  parsePatternsFile,
  redactPattern,
} from './learn/transfer.js';
// MCP
export {
  createMcpServer,
  type McpServerOptions,
  type McpToolContext,
} from './mcp/server.js';
// Model
export {
  categoryName,
  isPatternCategory,
  PATTERN_CATEGORIES,
  PatternCategory,
  parseCategory,
} from './model/category.js';
export {
  type CreatePatternInput,
  computePatternId,
  createPattern,
  type Evidence,
  type ExtractedPattern,
  type PatternJson,
  type PatternMetadata,
  patternFromJson,
  patternToJson,
  safeParsePatternJson,
} from './model/pattern.js';
export {
  parseQuality,
  qualityFromScore,
  SESSION_QUALITIES,
  SessionQuality,
  type SessionQualityLevel,
  type SessionQualityName,
} from './model/quality.js';
export type {
  Interaction,
  Session,
  ToolCall,
  TranscriptFormat,
  Turn,
  UserTurnKind,
} from './model/session.js';
export { TRANSCRIPT_FORMATS } from './model/session.js';
export {
  type CreateSkillInput,
  createSkill,
  type LearnedSkill,
  type SkillJson,
  skillFromJson,
  skillToJson,
} from './model/skill.js';
export { MAX_USER_ID_LENGTH, validateUserId } from './model/user-id.js';
export { patternWorth, rankByRelevance, rankPatterns } from './retrieve/rank.js';
// Skills
export { type AggregateSkillsOptions, aggregateSkills } from './skills/aggregate-skills.js';
export {
  type FormatPatternsOptions,
  LearnedSkillsStorage,
  type LearnedSkillsStorageOptions,
  type LearningSummary,
  type LearnResult,
} from './storage/learned-skills-storage.js';
// Store
export { FileStore, type FileStoreOptions } from './store/file-store.js';
export {
  type MigrateStoreOptions,
  type MigrateStoreResult,
  migrateStore,
} from './store/migrate.js';
export {
  DEFAULT_STORAGE_DIR,
  defaultSqlitePath,
  openStore,
  type StoreConfig,
} from './store/open-store.js';
export {
  type ClearResult,
  type ListPatternsOptions,
  type PatternMerge,
  type PatternStore,
  type SavePatternsOptions,
  type SavePatternsResult,
  type SearchPatternsOptions,
  STORE_KINDS,
  type StoreKind,
  type StoreProblem,
} from './store/pattern-store.js';
export {
  createPostgresStore,
  PostgresStore,
  type PostgresStoreOptions,
  redactConnectionString,
} from './store/postgres-store.js';
export { createSqliteStore, SqliteStore, type SqliteStoreOptions } from './store/sqlite-store.js';
// Transcripts
export {
  detectFormat,
  type ParseTranscriptOptions,
  parseTranscript,
  type ReadOptions,
  type ReadResult,
  type ReadTranscriptFileOptions,
  readTranscriptFile,
  TRANSCRIPT_READERS,
  type TranscriptReader,
} from './transcripts/index.js';
export { sessionFromInteractions } from './transcripts/interactions.js';
