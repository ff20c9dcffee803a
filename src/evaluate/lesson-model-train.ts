/**
 * Training of the lesson model (see lesson-model.ts): examples from the labelled fixtures, a
 * logistic regression fitted by Adam on the full batch, and held-out scores by fixture folder.
 * Deterministic: the same fixtures give the same weights, which `npm run train` writes to
 * lesson-model-weights.ts and a test checks.
 * @module
 */
import { relative } from 'node:path';
import { readTranscriptFile } from '../transcripts/index.js';
import { labelledFixtures, type QualityOptions, textMatchesLabel } from './extraction-quality.js';
import { type LessonModel, lessonScore, RULES_ONLY } from './lesson-model.js';
import { detectLessons } from './signals.js';

/** Settings of {@link fitLessonModel}; the defaults are the shipped model's. */
export interface FitOptions {
  /** Word features are kept only when seen in this many fixtures. @default 6 */
  minFixtures?: number;
  /** @default 0.003 */
  l2?: number;
  /** @default 300 */
  epochs?: number;
  /** @default 0.5 */
  threshold?: number;
}

/** Threshold of the shipped fix model (chosen on whole patterns, see bench/train-lesson-model.ts). */
export const FIX_THRESHOLD = 0.7;

/** One sentence as a training example. */
export interface TrainingExample {
  /** Top-level fixture folder: the unit of cross-validation. */
  group: string;
  fixture: string;
  text: string;
  features: string[];
  positive: boolean;
  /** The phrase rules left the sentence to the model (only these are scored by it). */
  offered: boolean;
}

/** The examples of both models. */
export interface TrainingSets {
  /** User sentences, for the lesson model. */
  lessons: TrainingExample[];
  /** Assistant sentences after an error, for the fix model. */
  fixes: TrainingExample[];
}

/**
 * Every sentence of the labelled fixtures, as the two models see them. A user sentence is
 * positive when it holds every `match` entry of one of its fixture's labels; an assistant
 * sentence after an error when, put after the error, it holds every entry of one of the
 * fixture's error resolution or workaround labels.
 */
export async function collectExamples(options: QualityOptions): Promise<TrainingSets> {
  const { transcriptsDir } = options;
  const { fixtures } = await labelledFixtures(options);
  const sets: TrainingSets = { lessons: [], fixes: [] };
  for (const f of fixtures) {
    const group = relative(transcriptsDir, f.file).split(/[\\/]/)[0] ?? '';
    const fixLabels = f.labels.filter(
      (l) => l.category === 'error_resolution' || l.category === 'workaround',
    );
    const { sessions } = await readTranscriptFile(f.file);
    for (const session of sessions) {
      detectLessons(session, {
        model: RULES_ONLY,
        fixModel: RULES_ONLY,
        onUnit: (u) => {
          sets.lessons.push({
            group,
            fixture: f.name,
            text: u.text,
            features: u.features,
            positive: f.labels.some((l) => textMatchesLabel(u.text, l)),
            offered: u.offered,
          });
        },
        onFixUnit: (u) => {
          const text = `${u.error} ${u.text}`;
          sets.fixes.push({
            group,
            fixture: f.name,
            text: u.text,
            features: u.features,
            positive: fixLabels.some((l) => textMatchesLabel(text, l)),
            offered: true,
          });
        },
      });
    }
  }
  return sets;
}

/** Feature names kept: context and shape always; words only when seen in enough fixtures. */
function vocabulary(examples: readonly TrainingExample[], minFixtures: number): Set<string> {
  const seen = new Map<string, Set<string>>();
  for (const e of examples)
    for (const f of e.features) {
      let s = seen.get(f);
      if (!s) {
        s = new Set();
        seen.set(f, s);
      }
      s.add(e.fixture);
    }
  const keep = new Set<string>();
  for (const [f, fixtures] of seen)
    if (
      f.startsWith('ctx:') ||
      f.startsWith('shape:') ||
      f.startsWith('len:') ||
      fixtures.size >= minFixtures
    )
      keep.add(f);
  return keep;
}

/** Logistic regression with L2, positives weighted up, fitted by Adam on the full batch. */
function fit(
  examples: readonly TrainingExample[],
  vocab: ReadonlySet<string>,
  l2: number,
  epochs: number,
): { bias: number; weights: Record<string, number> } {
  const index = new Map<string, number>();
  for (const f of vocab) index.set(f, index.size);
  const rows = examples.map((e) =>
    e.features.flatMap((f) => (index.has(f) ? [index.get(f) as number] : [])),
  );
  const y = examples.map((e) => (e.positive ? 1 : 0));
  const pos = y.reduce<number>((a, b) => a + b, 0);
  const posWeight = pos > 0 ? Math.sqrt((examples.length - pos) / pos) : 1;
  const n = index.size;
  const w = new Float64Array(n + 1); // last slot: bias
  const m = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const lr = 0.05;
  for (let t = 1; t <= epochs; t++) {
    const g = new Float64Array(n + 1);
    let total = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as number[];
      let z = w[n] as number;
      for (const j of row) z += w[j] as number;
      const p = 1 / (1 + Math.exp(-z));
      const weight = y[i] === 1 ? posWeight : 1;
      const err = (p - (y[i] as number)) * weight;
      total += weight;
      for (const j of row) g[j] = (g[j] as number) + err;
      g[n] = (g[n] as number) + err;
    }
    for (let j = 0; j <= n; j++) {
      const grad = (g[j] as number) / total + (j < n ? l2 * (w[j] as number) : 0);
      m[j] = 0.9 * (m[j] as number) + 0.1 * grad;
      v[j] = 0.999 * (v[j] as number) + 0.001 * grad * grad;
      const mh = (m[j] as number) / (1 - 0.9 ** t);
      const vh = (v[j] as number) / (1 - 0.999 ** t);
      w[j] = (w[j] as number) - (lr * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
  const weights: Record<string, number> = {};
  for (const [f, j] of index) {
    const x = Math.round((w[j] as number) * 1000) / 1000;
    if (x !== 0) weights[f] = x;
  }
  return { bias: Math.round((w[n] as number) * 1000) / 1000, weights };
}

/** Fits the model on the examples. */
export function fitLessonModel(
  examples: readonly TrainingExample[],
  options: FitOptions = {},
): LessonModel {
  const vocab = vocabulary(examples, options.minFixtures ?? 6);
  const fitted = fit(examples, vocab, options.l2 ?? 0.003, options.epochs ?? 300);
  const threshold = Math.round((options.threshold ?? 0.5) * 1000) / 1000;
  return { bias: fitted.bias, threshold, weights: fitted.weights };
}

/**
 * Held-out scores of the sentences the rules leave to the model: each fixture folder scored by
 * a model fitted on the others. Sorted by score, highest first.
 */
export function heldOutScores(
  examples: readonly TrainingExample[],
  options: FitOptions = {},
): Array<{ score: number; positive: boolean }> {
  const out: Array<{ score: number; positive: boolean }> = [];
  for (const group of new Set(examples.map((e) => e.group))) {
    const model = fitLessonModel(
      examples.filter((e) => e.group !== group),
      options,
    );
    for (const e of examples)
      if (e.group === group && e.offered)
        out.push({ score: lessonScore(e.features, model), positive: e.positive });
  }
  return out.sort((a, b) => b.score - a.score);
}
