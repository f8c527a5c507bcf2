import { describe, expect, it } from 'vitest';
import { formatDate } from '../src/render/view-models.js';

/** What the documents showed before: ICU's long date for fr-FR and en-GB, in UTC. */
const intlFormats = {
  fr: new Intl.DateTimeFormat('fr-FR', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }),
  en: new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }),
};
const intl = (date: Date, lang: 'fr' | 'en'): string => intlFormats[lang].format(date);

describe('dates in documents', () => {
  it('are written as Intl writes them, for every day from 1990 to 2040', () => {
    for (const lang of ['fr', 'en'] as const) {
      for (let t = Date.UTC(1990, 0, 1); t <= Date.UTC(2040, 11, 31); t += 86_400_000) {
        const day = new Date(t).toISOString().slice(0, 10);
        expect(formatDate(day, lang), day).toBe(intl(new Date(`${day}T12:00:00Z`), lang));
      }
    }
  });

  it('show a timestamp as its UTC day, and text that is no date as written', () => {
    expect(formatDate('2026-06-15T23:30:00.000Z', 'fr')).toBe('15 juin 2026');
    expect(formatDate('2026-06-16T00:30:00+02:00', 'en')).toBe('15 June 2026');
    expect(formatDate('2026-02-01', 'fr')).toBe('1 février 2026');
    expect(formatDate('bientôt', 'fr')).toBe('bientôt');
    expect(formatDate(undefined, 'fr')).toBe('');
  });
});
