// The language detector (eld, its small n-gram database: pure JS, shipped in the package, no
// file read at run time). Loading it takes about a second and 30-60 MB, so it is loaded on first
// need, not when a command that never opens a ticket starts.
import { chooseLocale, textForLanguageDetection, type LanguageDetection, type LocaleChoice } from './language.models.ts';
import type { Locale } from '../contracts/contracts.types.ts';

type Detect = (text: string) => LanguageDetection;

let loaded: Detect | null = null;
let loading: Promise<Detect> | null = null;

/** The detector when it is already loaded; null before {@link loadLanguageDetector} finished. */
export function loadedLanguageDetector(): Detect | null {
  return loaded;
}

export function loadLanguageDetector(): Promise<Detect> {
  loading ??= import('eld/small').then(({ eld }) => {
    loaded = (text) => {
      const result = eld.detect(text);
      return { language: result.language, scores: result.getScores(), reliable: result.isReliable() };
    };
    return loaded;
  });
  return loading;
}

/** The locale to answer `text` in with a loaded detector; `fallback` when it is unsure. */
export function detectLocale(detect: Detect, text: string, fallback: Locale): LocaleChoice {
  const own = textForLanguageDetection(text);
  return chooseLocale(own, own === '' ? null : detect(own), fallback);
}
