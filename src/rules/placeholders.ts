import { diagnostic, registerMessages } from '../diagnostics/messages.js';
import type { SourceFile } from '../source/parse.js';
import { encodeSegment } from '../source/locate.js';
import type { RuleContext } from './context.js';

/** The mark of a place left to fill (by `certif rncp import`): in values and in comments. */
export const TO_COMPLETE = 'À COMPLÉTER';

const t = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

registerMessages({
  'referential/to-complete': {
    severity: 'error',
    fr: (p) =>
      p.where === 'comment'
        ? [
            `Place à compléter : ${t(p.text)}`,
            'Complétez ce que le commentaire demande, puis supprimez le commentaire.',
          ]
        : [
            `Valeur à compléter : « ${t(p.text)} ».`,
            'Remplacez-la par le texte de votre référentiel (le fichier vient de certif rncp import).',
          ],
    en: (p) =>
      p.where === 'comment'
        ? [`Place to fill in: ${t(p.text)}`, 'Do what the comment asks, then delete the comment.']
        : [
            `Value to fill in: "${t(p.text)}".`,
            'Replace it with the text of your référentiel (the file comes from certif rncp import).',
          ],
  },
});

const COMMENT_MARK = /^(\s*)#\s*À COMPLÉTER\b\s*:?\s*(.*)$/u;

function short(s: string): string {
  return s.length > 120 ? `${s.slice(0, 119)}…` : s;
}

/**
 * Places a référentiel skeleton leaves to fill: every string value that starts with « À
 * COMPLÉTER » and every full-line comment that does. A skeleton therefore fails validation, each
 * place named by its line, until someone fills it in.
 */
export function checkPlaceholders(ctx: RuleContext, source: SourceFile, value: unknown): void {
  if (!source.text.includes(TO_COMPLETE)) return;
  const walk = (v: unknown, pointer: string): void => {
    if (typeof v === 'string') {
      if (v.normalize('NFC').trimStart().startsWith(TO_COMPLETE)) {
        ctx.report(source, 'referential/to-complete', { where: 'value', text: short(v) }, pointer);
      }
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        walk(item, `${pointer}/${i}`);
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) walk(item, `${pointer}/${encodeSegment(key)}`);
    }
  };
  walk(value, '');
  source.text.split('\n').forEach((line, i) => {
    const m = COMMENT_MARK.exec(line.normalize('NFC'));
    if (!m) return;
    ctx.diagnostics.push(
      diagnostic(
        ctx.lang,
        'referential/to-complete',
        { where: 'comment', text: short((m[2] ?? '').trim() || TO_COMPLETE) },
        { file: source.path, line: i + 1, column: (m[1] ?? '').length + 1 },
      ),
    );
  });
}
