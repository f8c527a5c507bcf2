import type { Io } from '../cli/io.js';
import { InputError, UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import { gradedUnits } from '../model/types.js';
import type { Candidate } from '../model/session.js';
import {
  assertSealed,
  deliberationRows,
  readDeliberation,
  staleDecisions,
  type CandidateRow,
  type ReadDeliberation,
} from '../project/deliberation.js';
import { assertPrintable, unitState, type UnitState } from '../project/evaluations.js';
import { resolveReferential } from '../project/referentials.js';
import { findProjectRoot } from '../project/root.js';
import {
  findCandidate,
  findSessionDir,
  openSession,
  unitById,
  type SessionContext,
} from '../project/session.js';
import { renderBody } from '../render/engine.js';
import { labels } from '../render/labels.js';
import { emit, type OutputOptions, type RenderedDoc } from '../render/output.js';
import {
  attestationModel,
  gridModel,
  pvModel,
  sessionFacts,
  sheetUnitModel,
} from '../render/view-models.js';

/** Options of `certif render …`. */
export interface RenderOptions extends OutputOptions {
  readonly session?: string | undefined;
  readonly candidate?: string | undefined;
  readonly all: boolean;
  readonly referential?: string | undefined;
}

function textFormat(o: RenderOptions): 'md' | 'html' {
  return o.format === 'md' ? 'md' : 'html';
}

async function sessionOrNull(o: RenderOptions, io: Io): Promise<SessionContext | undefined> {
  try {
    return await openSession(await findSessionDir(o.session, io.cwd, o.lang), io.cwd, o.lang);
  } catch (error) {
    if (error instanceof UsageError && !o.session) return undefined;
    throw error;
  }
}

function candidatesFor(
  ctx: SessionContext,
  o: RenderOptions,
  arg: string | undefined,
  filter: (c: Candidate) => boolean = () => true,
): Candidate[] {
  const id = arg ?? o.candidate;
  if (id && o.all)
    throw new UsageError(
      pick(o.lang, 'Soit un candidat, soit --all.', 'Either one candidate or --all.'),
    );
  if (id) return [findCandidate(ctx, id)];
  if (o.all) return ctx.session.candidates.filter(filter);
  throw new UsageError(
    pick(
      o.lang,
      'Quel candidat ? Donnez son identifiant, ou --all.',
      'Which candidate? Give their id, or --all.',
    ),
  );
}

/** A context for a blank grid outside any session: the référentiel alone. */
async function referentialOnly(o: RenderOptions, io: Io): Promise<SessionContext> {
  const root = await findProjectRoot(io.cwd);
  const loaded = await resolveReferential(o.referential, root, io.cwd, o.lang);
  return {
    dir: root,
    file: '',
    root,
    session: {
      id: '',
      referential: { id: loaded.ref.id, version: loaded.ref.version, hash: loaded.hash },
      jurors: [],
      juries: {},
      candidates: [],
    },
    source: loaded.source,
    ref: loaded.ref,
    units: gradedUnits(loaded.ref),
    lang: o.lang,
    cwd: io.cwd,
  };
}

/** `certif render grid <bloc>`: blank, for a candidate, or for every candidate. */
export async function renderGrid(blocId: string, o: RenderOptions, io: Io): Promise<number> {
  const t = labels(o.lang);
  // An explicit référentiel without a session or candidate is a blank grid of that version, even
  // where a session (pinned to another version) would otherwise be picked.
  const session =
    o.referential && !o.session && !o.candidate && !o.all ? undefined : await sessionOrNull(o, io);
  if (!session && (o.candidate || o.all)) {
    throw new UsageError(
      pick(
        o.lang,
        'Pas de session ici : --candidate et --all demandent une session.',
        'No session here: --candidate and --all need a session.',
      ),
      pick(o.lang, 'Ajoutez --session sessions/<id>.', 'Add --session sessions/<id>.'),
    );
  }
  const ctx = session ?? (await referentialOnly(o, io));
  const unit = unitById(ctx, blocId);
  const docs: RenderedDoc[] = [];
  if (!o.candidate && !o.all) {
    docs.push({
      name: `grille-${unit.id}`,
      title: `${t.gridTitle} ${unit.id}`,
      body: renderBody(textFormat(o), 'grid', t, gridModel(ctx, unit, undefined, undefined, t)),
    });
  } else {
    for (const c of candidatesFor(ctx, o, undefined, (x) => x.blocs.includes(unit.id))) {
      const state = c.blocs.includes(unit.id) ? await unitState(ctx, c, unit) : undefined;
      if (state) assertPrintable([state], o.lang);
      docs.push({
        name: `grille-${unit.id}-${c.id}`,
        title: `${t.gridTitle} ${unit.id} — ${c.id}`,
        body: renderBody(textFormat(o), 'grid', t, gridModel(ctx, unit, c, state?.evaluation, t)),
      });
    }
  }
  return emit(docs, `${t.gridTitle} ${unit.id}`, o, io);
}

/** `certif render sheet <candidate>`: the fiche « résultats à l'épreuve de synthèse ». */
export async function renderSheet(
  candidateId: string | undefined,
  o: RenderOptions,
  io: Io,
): Promise<number> {
  const t = labels(o.lang);
  const ctx = await openSession(await findSessionDir(o.session, io.cwd, o.lang), io.cwd, o.lang);
  const docs: RenderedDoc[] = [];
  const facts = sessionFacts(ctx, o.lang);
  for (const c of candidatesFor(ctx, o, candidateId)) {
    const states: UnitState[] = [];
    for (const u of ctx.units.filter((x) => c.blocs.includes(x.id))) {
      const s = await unitState(ctx, c, u);
      assertPrintable([s], o.lang);
      states.push(s);
    }
    docs.push({
      name: `fiche-${c.id}`,
      title: `${t.sheetTitle} — ${c.id}`,
      // Every evaluation is checked (above) before any sheet is written. Each sheet's view model
      // is built when it is rendered, and dropped after: kept for 1,000 candidates until the end,
      // the models were copied by every garbage collection of the render (~60 ms).
      body: () =>
        renderBody(textFormat(o), 'sheet', t, {
          ...facts,
          candidate: {
            id: c.id,
            name: `${c.family_name} ${c.given_name}`,
            accommodations: c.accommodations ?? [],
          },
          units: states.map((s) => sheetUnitModel(ctx, s.unit, s.evaluation, s.proposal, t)),
        }),
    });
  }
  return emit(docs, t.sheetTitle, o, io);
}

/**
 * A PV or an attestation states the jury's decisions: refuse to print one from an evaluation
 * edited by hand, or, once the deliberation is closed, from a decision taken on an evaluation
 * that has changed since (what was sealed is no longer what the files say).
 */
function assertRowsPrintable(
  ctx: SessionContext,
  d: ReadDeliberation | undefined,
  rows: readonly CandidateRow[],
): void {
  const { lang } = ctx;
  assertPrintable(
    rows.flatMap((r) => r.units.flatMap((u) => (u.state ? [u.state] : []))),
    lang,
  );
  const stale = d?.value.closed ? staleDecisions(rows) : [];
  if (stale.length > 0) {
    throw new InputError(
      pick(
        lang,
        `Des évaluations ont changé depuis la clôture de la délibération : ${stale.join(', ')}.`,
        `Evaluations changed after the deliberation was closed: ${stale.join(', ')}.`,
      ),
      pick(
        lang,
        'Rien n’a été imprimé. Lancez certif validate : le procès-verbal ne peut attester que ce que le jury a vu.',
        'Nothing was printed. Run certif validate: the procès-verbal can only attest what the jury saw.',
      ),
    );
  }
}

/** `certif render pv`: the procès-verbal of the jury de certification. */
export async function renderPv(o: RenderOptions, io: Io): Promise<number> {
  const t = labels(o.lang);
  const ctx = await openSession(await findSessionDir(o.session, io.cwd, o.lang), io.cwd, o.lang);
  const d = await readDeliberation(ctx);
  const rows = await deliberationRows(ctx, d?.value);
  assertSealed(ctx, d, rows);
  assertRowsPrintable(ctx, d, rows);
  const body = renderBody(textFormat(o), 'pv', t, pvModel(ctx, rows, d?.value.closed, t));
  return emit(
    [{ name: `pv-${ctx.session.id}`, title: `${t.pvTitle} — ${ctx.session.id}`, body }],
    t.pvTitle,
    o,
    io,
  );
}

/** `certif render attestation <candidate>`: the blocs validated, never the accommodations. */
export async function renderAttestation(
  candidateId: string | undefined,
  o: RenderOptions,
  io: Io,
): Promise<number> {
  const t = labels(o.lang);
  const ctx = await openSession(await findSessionDir(o.session, io.cwd, o.lang), io.cwd, o.lang);
  const d = await readDeliberation(ctx);
  const rows = await deliberationRows(ctx, d?.value);
  // Once for the session: the seal covers every candidate's decisions and evaluations.
  assertSealed(ctx, d, rows);
  const docs: RenderedDoc[] = [];
  for (const c of candidatesFor(ctx, o, candidateId)) {
    const row = rows.find((r) => r.candidate.id === c.id);
    if (!row) continue;
    assertRowsPrintable(ctx, d, [row]);
    docs.push({
      name: `attestation-${c.id}`,
      title: `${t.attestationTitle} — ${c.id}`,
      body: renderBody(
        textFormat(o),
        'attestation',
        t,
        attestationModel(ctx, row, d?.value.closed, t),
      ),
    });
  }
  return emit(docs, t.attestationTitle, o, io);
}
