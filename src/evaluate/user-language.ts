/**
 * The language a user writes to the assistant in, when it is not English: a user who writes
 * every request in Japanese wants the answers in Japanese, and an assistant that drifts into
 * English after a page of tool output is the kind of mistake this library exists to stop.
 *
 * Scripts other than Latin name their language directly (kana is Japanese, Hangul Korean);
 * Latin-script languages are told apart from English by their most common words, in messages
 * with at least one letter outside ASCII (an accent): plain ASCII is taken for English.
 * @module
 */

/** Scripts that name a language, by code point range (kana before Han: Japanese uses both). */
const SCRIPTS: Array<[number, number, string]> = [
  [0x3040, 0x30ff, 'Japanese'],
  [0xac00, 0xd7af, 'Korean'],
  [0x1100, 0x11ff, 'Korean'],
  [0x4e00, 0x9fff, 'Chinese'],
  [0x0400, 0x04ff, 'Cyrillic'],
  [0x0600, 0x06ff, 'Arabic'],
  [0x0590, 0x05ff, 'Hebrew'],
  [0x0370, 0x03ff, 'Greek'],
  [0x0e00, 0x0e7f, 'Thai'],
  [0x0900, 0x097f, 'Hindi'],
];

/** The order scripts are tested in: the first with enough letters names the language. */
const SCRIPT_ORDER = [...new Set(SCRIPTS.map(([, , name]) => name))];

/** How many letters of each script, and of the Latin alphabet, `text` holds (one pass). */
function scriptCounts(text: string): { latin: number; scripts: Map<string, number> } {
  let latin = 0;
  const scripts = new Map<string, number>();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) latin++;
      continue;
    }
    for (const [from, to, name] of SCRIPTS) {
      if (c >= from && c <= to) {
        scripts.set(name, (scripts.get(name) ?? 0) + 1);
        break;
      }
    }
  }
  return { latin, scripts };
}

/** A message's language shows in its first lines; a pasted log after them changes nothing. */
const SAMPLE = 3000;

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
  const sample = text.slice(0, SAMPLE);
  // Plain ASCII is English or code (every other language here needs a letter outside it).
  if (!/[\u0080-\uffff]/.test(sample)) return undefined;
  const prose = sample
    .replace(/```[\s\S]*?(?:```|$)/g, ' ')
    .replace(/`[^`\n]*`/g, ' ')
    .replace(/\bhttps?:\/\/\S+/g, ' ')
    .replace(/\S*[/\\]\S*/g, ' ');
  const { latin, scripts } = scriptCounts(prose);
  for (const language of SCRIPT_ORDER) {
    const n = scripts.get(language) ?? 0;
    if (n < 6) continue;
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
  const languages = messages.map((m) => messageLanguage(m.text));
  if (languages.every((l) => l === undefined)) return undefined;
  const counts = new Map<string, { n: number; first: number }>();
  let told = 0;
  let english = 0;
  messages.forEach((m, i) => {
    const language = languages[i];
    if (language === undefined) {
      // Enough English prose to tell counts against: a user who writes in English.
      if ((m.text.slice(0, SAMPLE).match(/[A-Za-z]+/g)?.length ?? 0) >= 8) {
        told++;
        english++;
      }
      return;
    }
    told++;
    const c = counts.get(language);
    if (c) c.n++;
    else counts.set(language, { n: 1, first: m.index });
  });
  let best: { language: string; n: number; first: number } | undefined;
  for (const [language, c] of counts) if (!best || c.n > best.n) best = { language, ...c };
  if (!best || best.n * 3 < told * 2 || best.n <= english) return undefined;
  return { language: best.language, first: best.first };
}
