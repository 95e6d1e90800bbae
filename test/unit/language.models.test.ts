import { describe, expect, it } from 'vitest';
import { detectLocale, loadLanguageDetector } from '../../src/mail/language-detector.ts';
import { chooseLocale, textForLanguageDetection } from '../../src/mail/language.models.ts';

describe('textForLanguageDetection', () => {
  it('drops quoted lines, links, addresses and numbers', () => {
    const text = 'Thanks, that works now.\nSee https://example.com/x?a=1 or mail eva@acme.se\nTicket 12345\n> Hej, skrivaren fungerar inte\n> Med vänliga hälsningar';
    expect(textForLanguageDetection(text)).toBe('Thanks, that works now. See or mail Ticket');
  });
});

describe('chooseLocale', () => {
  const detection = (language: string, scores: Record<string, number>, reliable = true) => ({ language, scores, reliable });
  const text = 'enough letters here';
  it.each([
    { name: 'a sure Swedish text', detection: detection('sv', { sv: 0.8, no: 0.65, da: 0.6 }), expected: { locale: 'sv', detected: true } },
    { name: 'Norwegian is `no` to the detector', detection: detection('no', { no: 0.8, da: 0.79, sv: 0.7 }), expected: { locale: 'nb', detected: true } },
    { name: 'Swedish and Norwegian too close to tell', detection: detection('no', { no: 0.7, sv: 0.695 }), expected: { locale: 'en', detected: false, why: 'ambiguous' } },
    { name: 'a language we do not write', detection: detection('de', { de: 0.84, nl: 0.6 }), expected: { locale: 'en', detected: false, why: 'unsupported' } },
    { name: 'the detector says it is unsure', detection: detection('en', { en: 0.82, vi: 0.74 }, false), expected: { locale: 'en', detected: false, why: 'unreliable' } },
    { name: 'no detection', detection: null, expected: { locale: 'en', detected: false, why: 'short' } },
  ])('$name', ({ detection, expected }) => {
    expect(chooseLocale(text, detection, 'en')).toEqual(expected);
  });
  it('falls back on a text with too few letters, whatever the detector says', () => {
    expect(chooseLocale('Tack!', { language: 'sv', scores: { sv: 0.9 }, reliable: true }, 'nl')).toEqual({ locale: 'nl', detected: false, why: 'short' });
  });
});

describe('detectLocale with the real detector', () => {
  const mails: [string, string][] = [
    ['en', 'Hi, the printer in the office is not working since this morning. Can you help?'],
    ['en', 'I can’t log in to the VPN anymore, it says my password is wrong.'],
    ['sv', 'Hej, skrivaren på kontoret fungerar inte sedan i morse. Kan ni hjälpa till?'],
    ['sv', 'Jag kan inte logga in på VPN längre, det står att lösenordet är fel.'],
    ['nb', 'Hei, skriveren på kontoret har ikke virket siden i morges. Kan dere hjelpe?'],
    ['nb', 'Jeg kan ikke logge inn på VPN lenger, den sier at passordet er feil.'],
    ['nl', 'Hallo, de printer op kantoor werkt sinds vanochtend niet meer. Kunnen jullie helpen?'],
    ['nl', 'Ik kan niet meer inloggen op de VPN, er staat dat mijn wachtwoord fout is.'],
  ];
  it.each(mails)('%s: %s', async (locale, text) => {
    const detect = await loadLanguageDetector();
    const fallback = locale === 'sv' ? 'nl' : 'sv';
    expect(detectLocale(detect, text, fallback)).toEqual({ locale, detected: true });
  });
  it('an English reply above a Swedish quote is English', async () => {
    const detect = await loadLanguageDetector();
    const text = 'Thanks, the printer works again.\n\nDen 3 mars 2026 skrev Support <support@x.se>:\n> Hej, vi har startat om skrivaren och rensat kön åt er. Hör av er om det krånglar igen.';
    expect(detectLocale(detect, text, 'sv').locale).toBe('en');
  });
  it('German falls back to the provider’s locale', async () => {
    const detect = await loadLanguageDetector();
    expect(detectLocale(detect, 'Der Drucker funktioniert seit heute morgen nicht mehr. Können Sie helfen?', 'sv')).toMatchObject({ locale: 'sv', detected: false });
  });
});
