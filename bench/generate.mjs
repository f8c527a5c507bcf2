#!/usr/bin/env node
// Generate bench/workload/: a normal certif project with the bundled référentiel, one session of
// 1,000 candidates x 3 blocs and 3,000 final evaluations with French observations.
// Deterministic (seeded PRNG, fixed dates). Needs dist/ (npm run build).
//
//   node bench/generate.mjs [--candidates N] [--out DIR] [--quiet] [--no-check]
//
// Ends by running `certif validate` in the workload and fails unless it exits 0 (--no-check
// skips that; bench/run.mjs checks it itself).
//
// All dates and timestamps are written quoted so that a YAML 1.1 reader (js-yaml, used by
// ajv-cli) reads them as strings, as certif's YAML 1.2 core schema does: both tools then see
// the same values and the same JSON Schema applies to both.
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const N = Number(arg('--candidates', '1000'));
const OUT = path.resolve(arg('--out', path.join(here, 'workload')));
const QUIET = process.argv.includes('--quiet');
const SESSION = 'bench';
const DATE = '2026-06-15';
const BLOCS = ['BC01', 'BC02', 'BC03'];
const NA_RATE = 0.15;

const { evaluationHash } = await import(path.join(repo, 'dist/model/evaluation-hash.js'));
const { schemaComment } = await import(path.join(repo, 'dist/project/schema-line.js'));

// mulberry32: small, fast, deterministic.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20260615);
const pickOne = (list) => list[Math.floor(rand() * list.length)];

const FAMILY = [
  'Durand',
  'Lefèvre',
  'Nguyen',
  'Martin',
  'Benali',
  'Dubois',
  'Moreau',
  'Laurent',
  'Girard',
  'Bonnet',
  'Dupré',
  'Faure',
  'André',
  'Mercier',
  'Blanchard',
  'Guérin',
  'Boyer',
  'Garnier',
  'Chevalier',
  'François',
  'Legrand',
  'Gauthier',
  'Perrin',
  'Robin',
  'Clément',
  'Morin',
  'Nicolas',
  'Henry',
  'Roussel',
  'Mathieu',
  'Gautier',
  'Masson',
  'Marchand',
  'Duval',
  'Denis',
  'Lemaître',
  'Ménard',
  'Haddad',
  'Diallo',
  'Traoré',
  'Da Silva',
  'Pereira',
  'Le Gall',
  'O’Brien',
  'D’Almeida',
  'Saint-Époux',
  'Kowalski',
  'Rossi',
  'Bénard',
  'Lefrançois',
];
const GIVEN = [
  'Léa',
  'Chloé',
  'Inès',
  'Manon',
  'Camille',
  'Zoé',
  'Maëlle',
  'Anaïs',
  'Océane',
  'Éloïse',
  'Hugo',
  'Lucas',
  'Théo',
  'Noé',
  'Raphaël',
  'Maël',
  'Gaëtan',
  'Jérôme',
  'Loïc',
  'Benoît',
  'Yanis',
  'Minh',
  'Aïcha',
  'Fatoumata',
  'Joël',
  'Hélène',
  'Françoise',
  'Agnès',
  'Cédric',
  'Sébastien',
  'Amélie',
  'Gaëlle',
  'Mathéo',
  'Timothée',
  'Clémence',
  'Lou-Anne',
  'Jean-Noël',
];

// Observations are assembled from fragments a jury would write: 80-200 characters, accents,
// typographic apostrophes, French spacing before ";" and ":".
const OPENINGS = [
  'La reformulation du besoin reste incomplète',
  'Le questionnement ne fait pas émerger les attentes du client',
  'L’argumentaire n’est pas adapté au profil de l’interlocuteur',
  'Les indicateurs proposés ne sont pas reliés aux objectifs du service',
  'La relance fournisseur n’est pas tracée',
  'Le devis présenté omet les conditions générales de vente',
  'L’incident logistique n’est pas répertorié dans l’outil de suivi',
  'La réclamation est traitée sans proposition de solution concrète',
  'Le candidat n’identifie pas les éléments réglementaires applicables',
  'La prise de congé est précipitée et la satisfaction n’est pas vérifiée',
  'Les données clients ne sont pas exploitées pour personnaliser l’offre',
  'Le planning de l’équipe ne tient pas compte des contraintes d’activité',
];
const DETAILS = [
  ' ; le seuil attendu (« identification complète du besoin ») n’est pas atteint',
  ' : aucune question ouverte n’a été posée au cours de l’entretien',
  ' ; l’écart avec la procédure de l’entreprise n’a pas été relevé',
  ', malgré deux relances du jury pendant la mise en situation',
  ' ; le support écrit comporte des erreurs de calcul (remise, TVA à 20 %)',
  ' : la traçabilité dans le CRM est partielle',
  ' ; la posture reste défensive face à l’objection « c’est trop cher »',
  ', et le compte rendu n’a pas été transmis au responsable',
];
const ENDINGS = [
  '.',
  '. À retravailler avant une nouvelle présentation.',
  '. Le jury recommande un complément de formation sur ce point.',
  '. L’entretien de restitution a permis de le confirmer.',
];

function observation() {
  for (;;) {
    let text = pickOne(OPENINGS) + pickOne(DETAILS);
    if (rand() < 0.5) text += pickOne(DETAILS).replace(/^[ ;:,]+/, ', ');
    text += pickOne(ENDINGS);
    if (text.length >= 80 && text.length <= 200) return text;
  }
}

/** A YAML scalar: plain when safe in both YAML 1.1 and 1.2, double-quoted otherwise. */
function scalar(s) {
  const plain =
    /^\p{L}/u.test(s) &&
    !s.includes(': ') &&
    !s.includes(' #') &&
    !/[:\s]$/.test(s) &&
    !/^(true|false|yes|no|on|off|null|y|n)$/i.test(s);
  return plain ? s : JSON.stringify(s);
}

function run(args, cwd) {
  const r = spawnSync(process.execPath, [path.join(repo, 'bin/certif.js'), ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    throw new Error(`certif ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

const t0 = Date.now();
rmSync(OUT, { recursive: true, force: true });
mkdirSync(path.join(OUT, 'referentials'), { recursive: true });
mkdirSync(path.join(OUT, 'sessions'), { recursive: true });

// 1. The référentiel, byte for byte (same content, same hash as the bundled one).
const refSrc = path.join(repo, 'referentials/relation-client.yaml');
const refDest = path.join(OUT, 'referentials/relation-client.yaml');
copyFileSync(refSrc, refDest);
const ref = parse(readFileSync(refDest, 'utf8'));

// 2. The session, created by certif itself (pinned id, version, hash), then filled by text.
run(
  [
    'init',
    `sessions/${SESSION}`,
    '--referential',
    'relation-client',
    '--centre',
    'Centre de formation Horizon',
    '--city',
    'Rouen',
    '--date',
    DATE,
  ],
  OUT,
);
const sessionDir = path.join(OUT, 'sessions', SESSION);
const sessionFile = path.join(sessionDir, 'session.yaml');

const JURORS = [
  { id: 'jdupont', name: 'Jeanne Dupont', independent: true, organisation: 'Dupont Conseil' },
  {
    id: 'pmartin',
    name: 'Paul Martin',
    independent: false,
    organisation: 'Centre de formation Horizon',
  },
  {
    id: 'alefevre',
    name: 'Aurélie Lefèvre',
    independent: false,
    organisation: 'Centre de formation Horizon',
  },
];
const JURIES = {
  BC01: ['jdupont', 'pmartin'],
  BC02: ['jdupont', 'alefevre'],
  BC03: ['jdupont', 'pmartin'],
};

const candidates = [];
const width = Math.max(4, String(N).length);
for (let i = 1; i <= N; i++) {
  candidates.push({
    id: `c${String(i).padStart(width, '0')}`,
    family_name: pickOne(FAMILY),
    given_name: pickOne(GIVEN),
  });
}

const jurorsText =
  'jurors:\n' +
  JURORS.map(
    (j) =>
      `  - id: ${j.id}\n    name: ${scalar(j.name)}\n    independent: ${j.independent}\n    organisation: ${scalar(j.organisation)}\n`,
  ).join('');
const juriesText =
  'juries:\n' +
  Object.entries(JURIES)
    .map(([b, js]) => `  ${b}: [ ${js.join(', ')} ]\n`)
    .join('');
const candidatesText =
  'candidates:\n' +
  candidates
    .map(
      (c) =>
        `  - id: ${c.id}\n    family_name: ${scalar(c.family_name)}\n    given_name: ${scalar(c.given_name)}\n    blocs: [ ${BLOCS.join(', ')} ]\n`,
    )
    .join('');

let session = readFileSync(sessionFile, 'utf8');
for (const [from, to] of [
  ['jurors: []\n', jurorsText],
  ['juries: {}\n', juriesText],
  ['candidates: []\n', candidatesText],
]) {
  if (!session.includes(from))
    throw new Error(`session.yaml from certif init lacks "${from.trim()}"`);
  session = session.replace(from, to);
}
// Quote the start date for YAML 1.1 readers (certif init writes it quoted already).
session = session.replace(/^(\s+start: )(\d{4}-\d{2}-\d{2})$/m, '$1"$2"');
writeFileSync(sessionFile, session);

// 3. Evaluations: every competency judged, ~15% non_acquis with an observation, final, hashed.
const competencies = {};
for (const b of ref.blocs) {
  if (BLOCS.includes(b.id))
    competencies[b.id] = b.activities.flatMap((a) => a.competencies.map((c) => c.id));
}
for (const b of BLOCS) if (!competencies[b]) throw new Error(`référentiel has no bloc ${b}`);

const evalComment = schemaComment(OUT, path.join(sessionDir, 'evaluations', 'x'), 'evaluation');
let files = 0;
let bytes = 0;
let nonAcquis = 0;
let judged = 0;
for (const c of candidates) {
  const dir = path.join(sessionDir, 'evaluations', c.id);
  mkdirSync(dir, { recursive: true });
  for (const bloc of BLOCS) {
    const jurors = JURIES[bloc];
    const results = {};
    for (const id of competencies[bloc]) {
      judged += 1;
      if (rand() < NA_RATE) {
        nonAcquis += 1;
        results[id] = { verdict: 'non_acquis', observation: observation() };
      } else {
        results[id] = 'acquis';
      }
    }
    const hh = String(8 + Math.floor(rand() * 10)).padStart(2, '0');
    const mm = String(Math.floor(rand() * 60)).padStart(2, '0');
    const ss = String(Math.floor(rand() * 60)).padStart(2, '0');
    const at = `${DATE}T${hh}:${mm}:${ss}.000Z`;
    // The whole evaluation as it will read back: evaluationHash picks the fields it covers.
    const e = {
      candidate: c.id,
      bloc,
      session: SESSION,
      date: DATE,
      jurors,
      status: 'final',
      results,
      finalized: { by: jurors, at },
    };
    const hash = evaluationHash(e);
    const lines = [
      `#${evalComment}`,
      '',
      `candidate: ${c.id}`,
      `bloc: ${bloc}`,
      `session: ${SESSION}`,
      `date: "${DATE}"`,
      'jurors:',
      ...jurors.map((j) => `  - ${j}`),
      'status: final',
      'results:',
    ];
    for (const [id, v] of Object.entries(results)) {
      if (typeof v === 'string') lines.push(`  ${id}: ${v}`);
      else
        lines.push(
          `  ${id}:`,
          `    verdict: ${v.verdict}`,
          `    observation: ${scalar(v.observation)}`,
        );
    }
    lines.push(
      'finalized:',
      '  by:',
      ...jurors.map((j) => `    - ${j}`),
      `  at: "${at}"`,
      `hash: ${hash}`,
      '',
    );
    const text = lines.join('\n');
    writeFileSync(path.join(dir, `${bloc}.yaml`), text);
    files += 1;
    bytes += Buffer.byteLength(text);
  }
}

const summary = {
  dir: path.relative(process.cwd(), OUT) || '.',
  candidates: N,
  evaluations: files,
  evaluationBytes: bytes,
  meanEvaluationBytes: Math.round(bytes / files),
  competenciesJudged: judged,
  nonAcquis,
  nonAcquisRate: Number((nonAcquis / judged).toFixed(4)),
  sessionBytes: Buffer.byteLength(session),
  ms: Date.now() - t0,
};
// The workload must be a valid project: `certif validate` exits 0 on it (skip with --no-check).
if (!process.argv.includes('--no-check')) {
  const r = spawnSync(process.execPath, [path.join(repo, 'bin/certif.js'), 'validate'], {
    cwd: OUT,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) {
    console.error(r.stdout.split('\n').slice(-12).join('\n'), r.stderr);
    throw new Error(`certif validate exited ${r.status} on the generated workload`);
  }
  summary.validateExit = 0;
}
if (!QUIET) console.log(JSON.stringify(summary, null, 2));
export default summary;
