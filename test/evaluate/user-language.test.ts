import { describe, expect, it } from 'vitest';
import { messageLanguage, sessionLanguage } from '../../src/evaluate/user-language.js';
import { extractSessionPatterns } from '../../src/extract/session-extractor.js';
import type { Session } from '../../src/model/session.js';

describe('the language of a message', () => {
  it.each([
    ['CLAUDE.md を最新の状態にアップデートしてください', 'Japanese'],
    ['请帮我把颜色选择器的输入框改成支持十六进制', 'Chinese'],
    ['로그인 페이지에 비밀번호 재설정 링크를 추가해 주세요', 'Korean'],
    ['Пожалуйста, добавь обработку ошибок в модуль загрузки', 'Russian'],
    ['Будь ласка, додай пагінацію до списку фактів і збережи порядок', 'Ukrainian'],
    [
      'Por favor, agrega la validación del formulario y muestra los errores cuando el campo está vacío',
      'Spanish',
    ],
    [
      'Bitte füge die Validierung hinzu und zeige die Fehler, wenn das Feld leer ist, auch für die Adresse',
      'German',
    ],
    [
      'Ajoute la validation du formulaire et affiche les erreurs quand le champ est vide, avec un message clair à côté',
      'French',
    ],
    [
      'Você pode adicionar a validação do formulário e mostrar os erros quando o campo está vazio, por favor',
      'Portuguese',
    ],
  ])('%s is %s', (text, language) => {
    expect(messageLanguage(text)).toBe(language);
  });

  it.each([
    ['English prose', 'please add form validation and show the errors when the field is empty'],
    [
      'English with a Japanese string in code',
      'set the label to `ログイン画面へようこそ` in src/i18n/ja.json and run the tests',
    ],
    [
      'English around a code block of Chinese strings',
      'add these translations:\n```json\n{"title": "颜色选择器", "hint": "请输入十六进制颜色值"}\n```\nand keep the keys sorted',
    ],
    ['a path and a command', 'pnpm --filter @app/web test src/components/Form.test.tsx'],
    ['too short to tell', 'la la la'],
    [
      'an English word list that shares words',
      'the plan: use die casting for the case, as per the spec we agreed on',
    ],
  ])('%s is not told as another language', (_name, text) => {
    expect(messageLanguage(text)).toBeUndefined();
  });
});

describe('the language of a session', () => {
  const msgs = (...texts: string[]) => texts.map((text, i) => ({ index: i * 2, text }));

  it('is the language most requests are in, with the first request in it', () => {
    expect(
      sessionLanguage(
        msgs('ok', 'ログイン画面のバリデーションを追加してください', 'テストも更新してください'),
      ),
    ).toEqual({ language: 'Japanese', first: 2 });
  });

  it('is nothing when the user mostly writes English', () => {
    expect(
      sessionLanguage(
        msgs(
          'please add the validation to the login form and update the tests for it',
          'ログイン画面のバリデーションを追加してください',
          'now run the whole test suite and fix whatever fails in the login module',
        ),
      ),
    ).toBeUndefined();
  });
});

describe('the language preference pattern', () => {
  const session = (...texts: string[]): Session => ({
    id: 'sess-ja',
    format: 'claude-code',
    skipped: 0,
    turns: texts.flatMap((text, i) => [
      { index: 2 * i, role: 'user' as const, text, toolCalls: [] },
      { index: 2 * i + 1, role: 'assistant' as const, text: '了解しました。', toolCalls: [] },
    ]),
  });

  it('asks for answers in the language the user writes in', () => {
    const patterns = extractSessionPatterns(
      session('CLAUDE.md を最新の状態にアップデートしてください', 'テストも追加してください'),
    );
    expect(patterns).toHaveLength(1);
    expect(patterns[0]).toMatchObject({
      category: 'preference',
      trigger: 'Answering the user',
      resolution: 'Answer the user in Japanese, the language they write in.',
    });
    expect(patterns[0]?.metadata.evidence).toMatchObject([{ sessionId: 'sess-ja', turn: 0 }]);
  });

  it('is the same pattern from every session in that language, so the store reinforces it', () => {
    const a = extractSessionPatterns(session('ログイン画面を直してください'));
    const b = extractSessionPatterns(session('設定ファイルを読み込む処理を追加してください'));
    expect(a[0]?.patternId).toBeDefined();
    expect(a[0]?.patternId).toBe(b[0]?.patternId);
  });

  it('is not made for a user who writes English', () => {
    const patterns = extractSessionPatterns(
      session('please add the retry to the upload client and keep the timeout at 30 seconds'),
    );
    expect(patterns.filter((p) => /Answer the user in/.test(p.resolution))).toEqual([]);
  });
});
