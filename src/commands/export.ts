import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Io } from '../cli/io.js';
import { isCalendarDate } from '../model/dates.js';
import { InputError, UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { badgeJson, buildBadge, defaultIssuerId, type Issuer } from '../export/badges.js';
import { buildCasePackage, caseJson, type CaseOptions } from '../export/case.js';
import { blocTable, competencyTable, csvText } from '../export/csv.js';
import { assertSealed, deliberationRows, readDeliberation } from '../project/deliberation.js';
import { assertPrintable, type UnitState } from '../project/evaluations.js';
import { displayPath, pathKind } from '../project/files.js';
import { resolveReferential } from '../project/referentials.js';
import { findProjectRoot } from '../project/root.js';
import {
  enclosingSessionDir,
  findCandidate,
  findSessionDir,
  openSession,
} from '../project/session.js';
import { labels } from '../render/labels.js';
import { writeOutput, writing } from '../render/write-out.js';
import { writeFileAtomic } from '../source/write.js';

/** Options shared by the CASE and badge exports: where CASE identifiers point. */
interface CaseCliOptions {
  readonly baseUri?: string | undefined;
  readonly lang: Lang;
}

function checkBaseUri(o: CaseCliOptions): void {
  if (!o.baseUri) return;
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(o.baseUri).protocol);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new UsageError(
      pick(o.lang, `URL de base invalide : ${o.baseUri}`, `Invalid base URL: ${o.baseUri}`),
      pick(
        o.lang,
        'Donnez l’adresse du serveur CASE, ex. https://case.exemple.fr/ims/case/v1p0/',
        'Give the CASE server’s address, e.g. https://case.example.org/ims/case/v1p0/',
      ),
    );
  }
}

/** Options of `certif export case`. */
export interface ExportCaseOptions extends CaseCliOptions {
  readonly session?: string | undefined;
  readonly out?: string | undefined;
  readonly date?: string | undefined;
  readonly creator?: string | undefined;
}

/**
 * `certif export case [referential]`: the référentiel as a CASE 1.0 CFPackage (JSON). Without a
 * référentiel, inside a session folder or with `--session`, the version that session is pinned
 * to: the one its credentials align to, whatever newer versions exist.
 */
export async function exportCase(
  referential: string | undefined,
  o: ExportCaseOptions,
  io: Io,
): Promise<number> {
  checkBaseUri(o);
  if (o.date && !isCalendarDate(o.date)) {
    throw new UsageError(
      pick(
        o.lang,
        `Date invalide : ${o.date} (AAAA-MM-JJ).`,
        `Invalid date: ${o.date} (YYYY-MM-DD).`,
      ),
    );
  }
  if (referential && o.session) {
    throw new UsageError(
      pick(
        o.lang,
        'Donnez un référentiel ou --session, pas les deux.',
        'Give a référentiel or --session, not both.',
      ),
      pick(
        o.lang,
        'Avec --session, le paquet est celui de la version à laquelle la session est liée.',
        'With --session, the package is that of the version the session is pinned to.',
      ),
    );
  }
  const sessionDir = referential
    ? undefined
    : o.session
      ? await findSessionDir(o.session, io.cwd, o.lang)
      : await enclosingSessionDir(io.cwd);
  let ref;
  if (sessionDir) {
    ref = (await openSession(sessionDir, io.cwd, o.lang)).ref;
    // Said because a newer version may exist: the package is the session's, on purpose.
    const name = path.basename(sessionDir);
    io.stderr.write(
      pick(
        o.lang,
        `CASE : ${ref.id} ${ref.version}, la version de la session ${name}.\n`,
        `CASE: ${ref.id} ${ref.version}, the version of session ${name}.\n`,
      ),
    );
  } else {
    const root = await findProjectRoot(io.cwd);
    ref = (await resolveReferential(referential, root, io.cwd, o.lang)).ref;
  }
  const options: CaseOptions = { baseUri: o.baseUri, date: o.date, creator: o.creator };
  await writeOutput(caseJson(buildCasePackage(ref, options)), o.out, io, o.lang);
  return 0;
}

/** Options of `certif export badges`. */
export interface ExportBadgesOptions extends CaseCliOptions {
  readonly session?: string | undefined;
  readonly candidate?: string | undefined;
  readonly out?: string | undefined;
  readonly issuer?: string | undefined;
  readonly issuerName?: string | undefined;
}

/**
 * `certif export badges [session]`: one unsigned Open Badges 3.0 credential per bloc the jury
 * validated, from a closed deliberation that still matches the evaluations it relied on.
 */
export async function exportBadges(
  sessionArg: string | undefined,
  o: ExportBadgesOptions,
  io: Io,
): Promise<number> {
  const { lang } = o;
  checkBaseUri(o);
  if (!o.out) {
    throw new UsageError(
      pick(
        lang,
        'Où écrire les attestations numériques ? Ajoutez --out <dossier> (un fichier JSON par bloc validé).',
        'Where should the credentials go? Add --out <folder> (one JSON file per bloc validated).',
      ),
    );
  }
  // "-" means stdout elsewhere; credentials are one file each, never a stream on stdout.
  if (o.out === '-') {
    throw new UsageError(
      pick(
        lang,
        '--out - (sortie standard) n’est pas possible ici : une attestation numérique est un fichier JSON par bloc validé.',
        '--out - (standard output) is not possible here: a credential is one JSON file per bloc validated.',
      ),
      pick(
        lang,
        'Donnez un dossier, nouveau ou existant, ex. --out attestations.',
        'Give a folder, new or existing, e.g. --out credentials.',
      ),
    );
  }
  // Checked before anything is read: the answer does not depend on the session.
  const outKind = await pathKind(path.resolve(io.cwd, o.out));
  if (outKind !== 'missing' && outKind !== 'dir') {
    const display = displayPath(path.resolve(io.cwd, o.out), io.cwd);
    throw new InputError(
      pick(
        lang,
        `Impossible d’écrire ${display} : c’est un fichier, --out attend un dossier (un fichier JSON par bloc validé).`,
        `Cannot write ${display}: it is a file, --out takes a folder (one JSON file per bloc validated).`,
      ),
      pick(
        lang,
        'Donnez un dossier, nouveau ou existant, ex. --out attestations.',
        'Give a folder, new or existing, e.g. --out credentials.',
      ),
    );
  }
  if (o.issuer !== undefined && !/^[a-z][a-z0-9+.-]*:\S+$/i.test(o.issuer)) {
    throw new UsageError(
      pick(lang, `Émetteur invalide : ${o.issuer}`, `Invalid issuer: ${o.issuer}`),
      pick(
        lang,
        'Donnez une URI : did:web:exemple.fr ou https://exemple.fr/emetteur.',
        'Give a URI: did:web:example.org or https://example.org/issuer.',
      ),
    );
  }
  const ctx = await openSession(
    await findSessionDir(sessionArg ?? o.session, io.cwd, lang),
    io.cwd,
    lang,
  );
  const candidates = o.candidate ? [findCandidate(ctx, o.candidate)] : ctx.session.candidates;
  const d = await readDeliberation(ctx);
  const closed = d?.value.closed;
  if (!d || !closed) {
    throw new InputError(
      pick(
        lang,
        'La délibération n’est pas close : aucune attestation numérique ne peut être émise.',
        'The deliberation is not closed: no credential can be issued.',
      ),
      pick(
        lang,
        'Clôturez-la d’abord : certif deliberate --close --members "…" --date AAAA-MM-JJ.',
        'Close it first: certif deliberate --close --members "…" --date YYYY-MM-DD.',
      ),
    );
  }
  const issuerName = o.issuerName?.trim() || ctx.session.centre?.name;
  if (!issuerName) {
    throw new InputError(
      pick(
        lang,
        'Qui émet les attestations ? La session n’a pas de centre.',
        'Who issues the credentials? The session has no centre.',
      ),
      pick(
        lang,
        'Ajoutez centre: { name: … } à session.yaml, ou --issuer-name "…".',
        'Add centre: { name: … } to session.yaml, or --issuer-name "…".',
      ),
    );
  }
  const issuer: Issuer = {
    id: o.issuer ?? defaultIssuerId(issuerName),
    name: issuerName,
    city: o.issuerName ? undefined : ctx.session.centre?.city,
  };
  const rows = await deliberationRows(ctx, d.value);
  const wanted = new Set(candidates.map((c) => c.id));
  const states: UnitState[] = [];
  const skipped: string[] = [];
  for (const row of rows) {
    if (!wanted.has(row.candidate.id)) continue;
    for (const u of row.units) {
      if (u.decision !== 'valide' || !ctx.ref.blocs.some((b) => b.id === u.unit)) continue;
      if (u.state) states.push(u.state);
      else skipped.push(`${row.candidate.id} ${u.unit}`);
    }
  }
  assertPrintable(states, lang);
  // The closed deliberation must still be what the jury sealed: no credential from edited files.
  assertSealed(ctx, d, rows);
  const caseOptions: CaseOptions = { baseUri: o.baseUri };
  // Every credential is built before the first is written: a failure leaves no partial set.
  const files: { name: string; text: string }[] = [];
  for (const state of states) {
    const bloc = ctx.ref.blocs.find((b) => b.id === state.unit.id);
    if (!bloc || state.state !== 'final' || !state.evaluation) {
      skipped.push(`${state.candidate.id} ${state.unit.id}`);
      continue;
    }
    const badge = buildBadge({
      ref: ctx.ref,
      session: ctx.session,
      candidate: state.candidate,
      bloc,
      evaluation: state.evaluation,
      closedOn: closed.date,
      issuer,
      caseOptions,
    });
    files.push({ name: `${state.candidate.id}-${bloc.id}.json`, text: badgeJson(badge) });
  }
  const dir = path.resolve(io.cwd, o.out);
  await writing(dir, io, lang, () => mkdir(dir, { recursive: true }));
  for (const { name, text } of files) {
    const target = path.join(dir, name);
    await writing(target, io, lang, () => writeFileAtomic(target, text));
    io.stderr.write(`✔ ${displayPath(target, io.cwd)}\n`);
  }
  for (const s of skipped) {
    io.stderr.write(
      pick(
        lang,
        `⚠ ${s} : validé sans évaluation finale, pas d’attestation.\n`,
        `⚠ ${s}: validated without a final evaluation, no credential.\n`,
      ),
    );
  }
  io.stderr.write(
    files.length === 0
      ? pick(
          lang,
          'Aucun bloc validé par le jury : aucune attestation écrite.\n',
          'No bloc validated by the jury: no credential written.\n',
        )
      : pick(
          lang,
          `${files.length} attestation(s) Open Badges 3.0, non signées : signez-les avant de les remettre (voir le README).\n`,
          `${files.length} Open Badges 3.0 credential(s), unsigned: sign them before handing them out (see the README).\n`,
        ),
  );
  return 0;
}

/** Options of `certif export csv`. */
export interface ExportCsvOptions {
  readonly session?: string | undefined;
  readonly by: 'bloc' | 'competency';
  readonly out?: string | undefined;
  readonly lang: Lang;
}

/** `certif export csv [session]`: results for a French spreadsheet, formulas neutralised. */
export async function exportCsv(
  sessionArg: string | undefined,
  o: ExportCsvOptions,
  io: Io,
): Promise<number> {
  const { lang } = o;
  const ctx = await openSession(
    await findSessionDir(sessionArg ?? o.session, io.cwd, lang),
    io.cwd,
    lang,
  );
  const d = await readDeliberation(ctx);
  const rows = await deliberationRows(ctx, d?.value);
  assertPrintable(
    rows.flatMap((r) => r.units.flatMap((u) => (u.state ? [u.state] : []))),
    lang,
  );
  assertSealed(ctx, d, rows);
  const t = labels(lang);
  const table = o.by === 'competency' ? competencyTable(ctx, rows, t) : blocTable(ctx, rows, t);
  if (!d?.value.closed) {
    io.stderr.write(
      pick(
        lang,
        '⚠ Délibération non close : les décisions sont provisoires.\n',
        '⚠ Deliberation not closed: the decisions are provisional.\n',
      ),
    );
  }
  await writeOutput(csvText(table), o.out, io, lang);
  return 0;
}
