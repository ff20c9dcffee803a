/**
 * The language a user writes to the assistant in, when it is not English: a user who writes
 * every request in Japanese wants the answers in Japanese, and an assistant that drifts into
 * English after a page of tool output is the kind of mistake this library exists to stop.
 *
 * Scripts other than Latin name their language directly (kana is Japanese, Hangul Korean);
 * Latin-script languages are told apart from English by their most common words.
 * @module
 */

/** Scripts that name a language, tested in order (kana before Han: Japanese uses both). */
const SCRIPTS: Array<[RegExp, string]> = [
  [/[\u3040-\u30ff]/g, 'Japanese'],
  [/[\uac00-\ud7af\u1100-\u11ff]/g, 'Korean'],
  [/[\u4e00-\u9fff]/g, 'Chinese'],
  [/[\u0400-\u04ff]/g, 'Cyrillic'],
  [/[\u0600-\u06ff]/g, 'Arabic'],
  [/[\u0590-\u05ff]/g, 'Hebrew'],
  [/[\u0370-\u03ff]/g, 'Greek'],
  [/[\u0e00-\u0e7f]/g, 'Thai'],
  [/[\u0900-\u097f]/g, 'Hindi'],
];

/** Frequent short words of Latin-script languages, none of them also an English word. */
const STOPWORDS: Record<string, ReadonlySet<string>> = {
  Spanish: new Set(
    'el la los las del que por para con una unos unas es está están pero como más porque también puedes hacer esto este esta eso cuando donde sí muy hay ya'.split(
      ' ',
    ),
  ),
  Portuguese: new Set(
    'o os da das do dos que para com uma um é está não mas como mais porque também você fazer isso este esta quando onde sim muito já em ao'.split(
      ' ',
    ),
  ),
  French: new Set(
    'le la les des du que pour avec une un est sont pas mais comme parce aussi tu vous faire ceci cela cette quand où oui très déjà dans et'.split(
      ' ',
    ),
  ),
  German: new Set(
    'der das den dem des und ist nicht mit eine einen ein auch aber wie mehr weil kannst bitte diese dieser wenn wo ja sehr schon auf für zu'.split(
      ' ',
    ),
  ),
  Italian: new Set(
    'il lo gli della delle che per con una è sono non ma più perché anche puoi fare questo questa quando dove sì molto già nel'.split(
      ' ',
    ),
  ),
};

const ENGLISH = new Set(
  'the a an and is are not to of in for with that this it you can please but as more because also do make when where yes very already on be'.split(
    ' ',
  ),
);

/**
 * The language of one message, or undefined for English, code, or too little text to tell.
 * Code blocks, inline code, paths and URLs are left out first: only prose says the language.
 */
export function messageLanguage(text: string): string | undefined {
  const prose = text
    .replace(/```[\s\S]*?(?:```|$)/g, ' ')
    .replace(/`[^`\n]*`/g, ' ')
    .replace(/\bhttps?:\/\/\S+/g, ' ')
    .replace(/\S*[/\\]\S*/g, ' ');
  for (const [re, language] of SCRIPTS) {
    const n = prose.match(re)?.length ?? 0;
    if (n < 6) continue;
    const latin = prose.match(/[A-Za-z]/g)?.length ?? 0;
    // Weigh ideographs as words: one kanji says about as much as a short Latin word.
    const weight = /Japanese|Chinese|Korean/.test(language) ? 3 : 1;
    if (n * weight < latin * 0.5) return undefined;
    if (language === 'Cyrillic') return /[іїєґ]/i.test(prose) ? 'Ukrainian' : 'Russian';
    return language;
  }
  const words = prose.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.length < 8) return undefined;
  const english = words.filter((w) => ENGLISH.has(w)).length;
  let best: string | undefined;
  let most = 0;
  for (const [language, set] of Object.entries(STOPWORDS)) {
    const n = words.filter((w) => set.has(w)).length;
    if (n > most) {
      best = language;
      most = n;
    }
  }
  return most >= Math.max(3, words.length * 0.12) && most >= english * 3 ? best : undefined;
}

/**
 * The language a user wrote a session in, when it is not English: at least two thirds of the
 * messages whose language can be told are in it (a single message counts when it is all there
 * is). Returns the language and the index of the first message in it.
 */
export function sessionLanguage(
  messages: ReadonlyArray<{ index: number; text: string }>,
): { language: string; first: number } | undefined {
  const counts = new Map<string, { n: number; first: number }>();
  let told = 0;
  let english = 0;
  for (const m of messages) {
    const language = messageLanguage(m.text);
    if (language === undefined) {
      // Enough English prose to tell counts against: a user who writes in English.
      if ((m.text.match(/[A-Za-z]+/g)?.length ?? 0) >= 8) {
        told++;
        english++;
      }
      continue;
    }
    told++;
    const c = counts.get(language);
    if (c) c.n++;
    else counts.set(language, { n: 1, first: m.index });
  }
  let best: { language: string; n: number; first: number } | undefined;
  for (const [language, c] of counts) if (!best || c.n > best.n) best = { language, ...c };
  if (!best || best.n * 3 < told * 2 || best.n <= english) return undefined;
  return { language: best.language, first: best.first };
}
