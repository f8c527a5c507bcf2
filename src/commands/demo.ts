import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Io, OutStream } from '../cli/io.js';
import { InputError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { displayPath, pathKind } from '../project/files.js';
import { availableReferentials } from '../project/referentials.js';
import { editSessionFile } from '../project/session-store.js';
import { findChromium, withSharedBrowser } from '../render/pdf.js';
import { importCandidates } from './candidates.js';
import { deliberateCommand } from './deliberate.js';
import { gradeCommand } from './grade.js';
import { initCommand } from './init.js';
import { renderAttestation, renderGrid, renderPv, renderSheet } from './render.js';
import { validateCommand } from './validate.js';
import { yamlLib } from '../source/yaml-lib.js';

const SESSION = 'demo-2026-06';

const CSV = `identifiant;nom;prénom;blocs;aménagements
c001;Durand;Léa;BC01 BC02 BC03 PP;
c002;Nguyen;Minh;BC01 BC02;Tiers-temps|Salle accessible en rez-de-chaussée
c003;Martin;Chloé;BC01 BC03;
c004;Benali;Yanis;BC01 BC02;
c005;Lefèvre;Hugo;BC03 PP;
`;

/** Observations a jury would write, in French. */
const NA_OBS = [
  'La reformulation du besoin reste incomplète ; le questionnement ne fait pas émerger les attentes du client.',
  'Les indicateurs proposés ne sont pas reliés aux objectifs du service.',
  'Relance fournisseur non tracée ; l’incident logistique n’est pas répertorié.',
];

/** Which competencies each candidate fails, by unit (others acquired). */
const PLAN: Record<string, Record<string, { na: string[]; final: boolean; upTo?: number }>> = {
  c001: {
    BC01: { na: [], final: true },
    BC02: { na: [], final: true },
    BC03: { na: [], final: true },
    PP: { na: [], final: true },
  },
  c002: { BC01: { na: [], final: true }, BC02: { na: ['C3', 'C14', 'C15'], final: true } },
  c003: { BC01: { na: ['C2', 'C3'], final: true }, BC03: { na: ['C8'], final: true } },
  c004: { BC01: { na: [], final: true }, BC02: { na: ['C4'], final: false, upTo: 9 } },
  c005: { BC03: { na: [], final: true } },
};

function quiet(): OutStream {
  return { write: () => true };
}

/**
 * `certif demo [dir]`: a sample session on the bundled référentiel — five fictional candidates,
 * graded blocs (one with accommodations, one partial validation, one still in draft), a
 * deliberation — and every document rendered. Runs the same commands a user would.
 */
export async function demoCommand(
  target: string | undefined,
  options: { lang: Lang },
  io: Io,
): Promise<number> {
  const { lang } = options;
  const dir = path.resolve(io.cwd, target ?? 'certif-demo');
  if (
    (await pathKind(dir)) === 'file' ||
    ((await pathKind(dir)) === 'dir' && (await readdir(dir)).length > 0)
  ) {
    throw new InputError(
      pick(
        lang,
        `Le dossier ${displayPath(dir, io.cwd)} existe déjà et n’est pas vide.`,
        `Folder ${displayPath(dir, io.cwd)} already exists and is not empty.`,
      ),
      pick(
        lang,
        'Choisissez un autre dossier : certif demo <dossier>.',
        'Choose another folder: certif demo <folder>.',
      ),
    );
  }
  await mkdir(dir, { recursive: true });
  // The sample session is held on 15 June 2026: its files carry that date, whatever today is.
  const demoNow = () => new Date('2026-06-15T14:30:00Z');
  const sub: Io = {
    ...io,
    now: demoNow,
    cwd: dir,
    stderr: quiet(),
    stdout: quiet(),
    stdinIsTTY: false,
    stdoutIsTTY: false,
  };
  const say = (fr: string, en: string) => io.stderr.write(`${pick(lang, fr, en)}\n`);

  await initCommand(
    `sessions/${SESSION}`,
    {
      referential: 'relation-client',
      centre: 'Centre de formation Horizon',
      city: 'Rouen',
      date: '2026-06-15',
      lang,
    },
    sub,
  );
  const sessionDir = path.join(dir, 'sessions', SESSION);
  const available = await availableReferentials(dir, dir, lang);
  await editSessionFile(
    path.join(sessionDir, 'session.yaml'),
    { cwd: dir, lang, now: demoNow(), who: 'certif demo', available },
    (doc) => {
      doc.set('title', 'Session de juin 2026');
      doc.set(
        'jurors',
        doc.createNode([
          {
            id: 'jdupont',
            name: 'Jeanne Dupont',
            independent: true,
            organisation: 'Dupont Conseil',
          },
          {
            id: 'pmartin',
            name: 'Paul Martin',
            independent: false,
            organisation: 'Centre de formation Horizon',
          },
          { id: 'sroux', name: 'Sophie Roux', independent: true, organisation: 'Transports Roux' },
        ]),
      );
      const juries = doc.createNode({
        BC01: ['jdupont', 'pmartin'],
        BC02: ['sroux', 'pmartin'],
        BC03: ['jdupont', 'pmartin'],
        PP: ['jdupont', 'sroux'],
      });
      for (const item of juries.items) if (yamlLib().isSeq(item.value)) item.value.flow = true;
      doc.set('juries', juries);
    },
  );
  const csv = path.join(dir, 'candidats.csv');
  await writeFile(csv, '\ufeff' + CSV, 'utf8');
  await importCandidates(csv, { session: `sessions/${SESSION}`, lang }, sub);
  await editSessionFile(
    path.join(sessionDir, 'session.yaml'),
    { cwd: dir, lang, now: demoNow(), who: 'certif demo', available },
    (doc) => {
      doc.setIn(
        ['candidates', 1, 'acquired'],
        doc.createNode([{ bloc: 'BC03', session: '2025-11-rouen', date: '2025-11-20' }]),
      );
      doc.setIn(['candidates', 2, 'conflicts'], doc.createNode(['sroux'], { flow: true }));
    },
  );
  say(
    `✔ Session ${SESSION} : 5 candidats, 3 jurés`,
    `✔ Session ${SESSION}: 5 candidates, 3 jurors`,
  );

  const ref = available.find((r) => r.ref.id === 'relation-client');
  let graded = 0;
  for (const [candidate, units] of Object.entries(PLAN)) {
    for (const [unitId, plan] of Object.entries(units)) {
      const unit = ref?.ref.blocs.find((b) => b.id === unitId);
      const ids = unit
        ? unit.activities.flatMap((a) => a.competencies.map((c) => c.id))
        : (ref?.ref.final_evaluation?.items.map((i) => i.id) ?? []);
      const chosen = ids.slice(0, plan.upTo ?? ids.length);
      const set = chosen.map((id) => `${id}=${plan.na.includes(id) ? 'non_acquis' : 'acquis'}`);
      const observation = plan.na
        .filter((id) => chosen.includes(id))
        .map((id, i) => `${id}=${NA_OBS[i % NA_OBS.length] ?? ''}`);
      const jury =
        unitId === 'BC02' ? 'sroux,pmartin' : unitId === 'PP' ? 'jdupont,sroux' : 'jdupont,pmartin';
      await gradeCommand(
        candidate,
        unitId,
        {
          session: `sessions/${SESSION}`,
          set,
          observation,
          finalize: plan.final,
          ...(plan.final ? { by: jury } : {}),
          lang,
        },
        sub,
      );
      graded += 1;
    }
  }
  say(
    `✔ ${graded} évaluations saisies (dont une en brouillon : c004 BC02)`,
    `✔ ${graded} evaluations recorded (one still a draft: c004 BC02)`,
  );

  const d = {
    session: `sessions/${SESSION}`,
    accept: false,
    close: false,
    format: 'text' as const,
    lang,
  };
  await deliberateCommand(
    {
      ...d,
      candidate: 'c003',
      bloc: 'BC03',
      decision: 'valide',
      reason:
        'C8 non acquise sur une seule situation ; le dossier de gestion démontre la compétence.',
    },
    sub,
  );
  await deliberateCommand({ ...d, accept: true }, sub);
  say(
    '✔ Délibération : propositions retenues, une décision motivée (c003 BC03) ; c004 attend la finalisation de BC02',
    '✔ Deliberation: proposals kept, one reasoned decision (c003 BC03); c004 waits for BC02 to be finalised',
  );

  const out = path.join(dir, 'documents');
  const formats: ('md' | 'html' | 'pdf')[] = ['md', 'html'];
  try {
    await findChromium(undefined, io.env, lang);
    formats.push('pdf');
  } catch {
    say(
      '  (pas de Chromium : documents en Markdown et HTML seulement)',
      '  (no Chromium: Markdown and HTML documents only)',
    );
  }
  await withSharedBrowser(async () => {
    for (const format of formats) {
      const o = { session: `sessions/${SESSION}`, format, lang, out: out, all: false };
      await renderGrid('BC01', o, sub);
      await renderGrid('BC02', { ...o, all: true }, sub);
      await renderSheet(undefined, { ...o, all: true }, sub);
      await renderPv(o, sub);
      await renderAttestation(undefined, { ...o, all: true }, sub);
    }
  });
  const files = (await readdir(out)).length;
  say(
    `✔ ${files} documents (${formats.join(', ')}) dans ${displayPath(out, io.cwd)}`,
    `✔ ${files} documents (${formats.join(', ')}) in ${displayPath(out, io.cwd)}`,
  );
  const code = await validateCommand([], { format: 'stylish', strict: false, lang }, sub);
  say(
    code === 0 ? '✔ certif validate : projet valide' : '✖ certif validate a trouvé des erreurs',
    code === 0 ? '✔ certif validate: project valid' : '✖ certif validate found errors',
  );
  io.stdout.write(
    pick(
      lang,
      `\nProjet de démonstration : ${displayPath(dir, io.cwd)}\nEssayez :\n  cd ${displayPath(dir, io.cwd)}\n  npx certif status\n  npx certif grade c004 BC02      # reprendre la saisie au clavier\n  npx certif deliberate\n  npx certif render pv --format html > pv.html\n`,
      `\nDemo project: ${displayPath(dir, io.cwd)}\nTry:\n  cd ${displayPath(dir, io.cwd)}\n  npx certif status\n  npx certif grade c004 BC02      # resume grading at the keyboard\n  npx certif deliberate\n  npx certif render pv --format html > pv.html\n`,
    ),
  );
  return code;
}
