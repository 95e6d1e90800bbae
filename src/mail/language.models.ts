// Which of our locales a sender wrote in, from a language detector's scores (docs/domain.md,
// "Languages"). Pure: the detector itself is loaded by language-detector.ts. A sender is answered
// in their language only when the detector is sure and the language is one we write; otherwise
// the caller's fallback (the customer's or the provider's locale) stands.
import { LOCALES, type Locale } from '../contracts/contracts.types.ts';

/** ISO 639-1 codes a detector returns → our locale (Norwegian is `no` to most detectors). */
const LOCALE_OF_LANGUAGE: Readonly<Record<string, Locale>> = { en: 'en', sv: 'sv', no: 'nb', nb: 'nb', nn: 'nb', nl: 'nl' };

/**
 * How far the winner must score above the best language of ANOTHER of our locales. Measured on
 * short support mails: Swedish vs Norwegian differ by 0.1 or more when the text says which, and
 * by 0 to 0.01 on two-word mails such as "Tusen takk!"; Danish as runner-up to Norwegian is
 * common (0.01 to 0.05) and does not matter: it is not one of ours.
 */
export const MIN_LOCALE_MARGIN = 0.02;

/** Fewer letters than this say too little about a language. */
export const MIN_LETTERS = 6;

/** At most this much text is looked at: the language shows in the first lines. */
export const MAX_DETECTION_TEXT = 1500;

/**
 * The sender's own words for detection: quoted lines, addresses, links and numbers say nothing
 * about the language (a Swedish quote under an English reply would win by length).
 */
export function textForLanguageDetection(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('>'))
    .join('\n')
    .replace(/\b(https?:\/\/|www\.)\S+/gi, ' ')
    .replace(/\S+@\S+/g, ' ')
    .replace(/[\d_#*=~|<>[\]{}()/\\-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_DETECTION_TEXT);
}

export interface LanguageDetection {
  /** ISO 639-1 code of the winner, '' when the detector found none */
  language: string;
  scores: Readonly<Record<string, number>>;
  reliable: boolean;
}

export type LocaleChoice = { locale: Locale; detected: true } | { locale: Locale; detected: false; why: 'short' | 'unreliable' | 'unsupported' | 'ambiguous' };

/** The locale to write to a sender in, from what the detector said about their text. */
export function chooseLocale(text: string, detection: LanguageDetection | null, fallback: Locale): LocaleChoice {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (letters < MIN_LETTERS || detection === null) return { locale: fallback, detected: false, why: 'short' };
  if (!detection.reliable) return { locale: fallback, detected: false, why: 'unreliable' };
  const locale = LOCALE_OF_LANGUAGE[detection.language];
  if (locale === undefined || !LOCALES.includes(locale)) return { locale: fallback, detected: false, why: 'unsupported' };
  const winner = detection.scores[detection.language] ?? 0;
  const rival = Math.max(
    0,
    ...Object.entries(detection.scores)
      .filter(([language]) => LOCALE_OF_LANGUAGE[language] !== undefined && LOCALE_OF_LANGUAGE[language] !== locale)
      .map(([, score]) => score),
  );
  if (winner - rival < MIN_LOCALE_MARGIN) return { locale: fallback, detected: false, why: 'ambiguous' };
  return { locale, detected: true };
}
