import { Chalk } from 'chalk';
import type { Io } from '../cli/io.js';
import { UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { competenciesOf } from '../model/types.js';
import { findProjectRoot } from '../project/root.js';
import {
  availableReferentials,
  compareVersions,
  resolveReferential,
} from '../project/referentials.js';

/** `certif show [bloc]`: the référentiel as a tree, to check a transcription by eye. */
export async function showCommand(
  blocId: string | undefined,
  options: { referential?: string | undefined; lang: Lang },
  io: Io,
): Promise<number> {
  const { lang } = options;
  const root = await findProjectRoot(io.cwd);
  const { ref, hash } = await resolveReferential(options.referential, root, io.cwd, lang);
  const c = new Chalk({ level: io.stdoutIsTTY && !io.env.NO_COLOR ? 1 : 0 });
  const blocs = blocId
    ? ref.blocs.filter((b) => b.id.toLowerCase() === blocId.toLowerCase())
    : ref.blocs;
  if (blocId && blocs.length === 0) {
    throw new UsageError(
      pick(lang, `Bloc inconnu : ${blocId}`, `Unknown bloc: ${blocId}`),
      pick(
        lang,
        `Blocs : ${ref.blocs.map((b) => b.id).join(', ')}.`,
        `Blocs: ${ref.blocs.map((b) => b.id).join(', ')}.`,
      ),
    );
  }
  const out: string[] = [];
  out.push(
    c.bold(ref.title) + c.dim(`  (${ref.id} ${ref.version}${ref.rncp ? ` · ${ref.rncp}` : ''})`),
  );
  out.push(
    c.dim(
      pick(
        lang,
        `Jury : ${ref.jury.size} juré(s), dont au moins ${ref.jury.min_independent} indépendant(s) · ${hash.slice(0, 19)}`,
        `Jury: ${ref.jury.size} juror(s), at least ${ref.jury.min_independent} independent · ${hash.slice(0, 19)}`,
      ),
    ),
  );
  const versions = (await availableReferentials(root, io.cwd, lang))
    .filter((r) => r.ref.id === ref.id)
    .map((r) => r.ref.version)
    .sort(compareVersions);
  if (versions.length > 1) {
    out.push(
      c.dim(
        pick(
          lang,
          `Versions disponibles : ${versions.join(', ')} (certif referential list)`,
          `Available versions: ${versions.join(', ')} (certif referential list)`,
        ),
      ),
    );
  }
  blocs.forEach((bloc, bi) => {
    const last = bi === blocs.length - 1 && !(ref.final_evaluation && !blocId);
    const comps = competenciesOf(bloc);
    const rule = bloc.validation ?? { rule: 'all' as const };
    const ruleText =
      rule.rule === 'all'
        ? pick(lang, 'toutes acquises', 'all acquired')
        : rule.rule === 'min_count'
          ? pick(
              lang,
              `au moins ${rule.min_count ?? 0} acquises`,
              `at least ${rule.min_count ?? 0} acquired`,
            )
          : pick(
              lang,
              `au moins ${Math.round((rule.min_ratio ?? 1) * 100)} % acquises`,
              `at least ${Math.round((rule.min_ratio ?? 1) * 100)}% acquired`,
            );
    out.push(
      `${last ? '└─' : '├─'} ${c.bold(bloc.id)}${bloc.code ? c.dim(` ${bloc.code}`) : ''} ${bloc.title}`,
    );
    const pad = last ? '   ' : '│  ';
    out.push(
      pad +
        c.dim(
          pick(
            lang,
            `${n(comps.length, 'compétence')} · ${n(bloc.evaluation.criteria.length, 'critère')} · ${n(bloc.evaluation.modalities.length, 'modalité')} · validation : ${ruleText}${rule.required?.length ? ` (exigées : ${rule.required.join(', ')})` : ''}`,
            `${n(comps.length, 'competency', 'competencies')} · ${n(bloc.evaluation.criteria.length, 'criterion', 'criteria')} · ${n(bloc.evaluation.modalities.length, 'modality', 'modalities')} · validation: ${ruleText}${rule.required?.length ? ` (required: ${rule.required.join(', ')})` : ''}`,
          ),
        ),
    );
    bloc.activities.forEach((act, ai) => {
      const lastA = ai === bloc.activities.length - 1;
      out.push(`${pad}${lastA ? '└─' : '├─'} ${c.cyan(act.id)} ${act.title}`);
      const padA = pad + (lastA ? '   ' : '│  ');
      act.competencies.forEach((comp, ci) => {
        const lastC = ci === act.competencies.length - 1;
        out.push(`${padA}${lastC ? '└─' : '├─'} ${c.green(`${bloc.id}.${comp.id}`)} ${comp.label}`);
        if (comp.threshold) {
          out.push(
            `${padA}${lastC ? '   ' : '│  '}   ${c.dim(pick(lang, 'seuil : ', 'threshold: ') + comp.threshold)}`,
          );
        }
      });
    });
  });
  const fe = ref.final_evaluation;
  if (fe && !blocId) {
    out.push(
      `└─ ${c.bold(fe.id)} ${fe.title}${fe.soutenance_minutes ? c.dim(pick(lang, ` (soutenance ${fe.soutenance_minutes} min)`, ` (${fe.soutenance_minutes}-minute soutenance)`)) : ''}`,
    );
    fe.items.forEach((item, i) => {
      out.push(
        `   ${i === fe.items.length - 1 ? '└─' : '├─'} ${c.green(`${fe.id}.${item.id}`)} ${item.label}`,
      );
    });
  }
  io.stdout.write(out.join('\n') + '\n');
  return 0;
}

/** "1 critère", "9 critères". */
function n(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count > 1 ? plural : singular}`;
}
