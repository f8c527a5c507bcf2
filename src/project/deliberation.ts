import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Document } from 'yaml';
import { yamlLib } from '../source/yaml-lib.js';
import { InputError, InvalidFilesError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import {
  outcomeOf,
  proposeUnit,
  type Outcome,
  type UnitDecision,
  type UnitEvidence,
} from '../model/deliberation.js';
import type { Candidate, Evaluation } from '../model/session.js';
import { checkDeliberation } from '../rules/deliberation.js';
import { ruleContext } from '../rules/context.js';
import { lockForCommand, ownerText, type Lock } from '../source/lock.js';
import { documentText } from '../source/edit.js';
import { parseYamlText, yamlOptions, type SourceFile } from '../source/parse.js';
import { validateSchema } from '../schema/diagnostics.js';
import { entryPath, isBlind } from './entry-store.js';
import { sessionStates, type UnitState } from './evaluations.js';
import { assertInsideProject } from './confine.js';
import { displayPath, pathKind } from './files.js';
import { readTextFile } from './load.js';
import { schemaComment, withSchemaLine, writeProjectFile } from './schema-line.js';
import type { SessionContext } from './session.js';

/** deliberation.yaml as written. */
export interface Deliberation {
  readonly session: string;
  readonly candidates: Readonly<
    Record<
      string,
      {
        readonly blocs: Readonly<
          Record<
            string,
            {
              proposal: UnitDecision;
              decision: UnitDecision;
              reason?: string;
              evaluation_hash?: string;
            }
          >
        >;
        readonly outcome: Outcome;
        readonly validated?: readonly string[];
      }
    >
  >;
  readonly closed?: {
    date: string;
    place: string;
    members: string[];
    digest: string;
    decisions_hash?: string;
    evaluations?: number;
    at: string;
  };
}

/** One unit of one candidate as the deliberation sees it. */
export interface UnitRow {
  readonly unit: string;
  readonly evidence: UnitEvidence;
  readonly proposal: UnitDecision | 'pending' | 'none';
  readonly decision?: UnitDecision;
  readonly reason?: string;
  /** What the decision was taken on: the proposal and evaluation hash recorded with it. */
  readonly recorded?: {
    readonly proposal: UnitDecision;
    readonly decision: UnitDecision;
    readonly hash?: string;
  };
  /**
   * The recorded decision was taken on something that has changed since (amended, finalised,
   * deleted, jurors' entries added): it does not stand until the jury records it again.
   */
  readonly stale?: true;
  readonly state?: UnitState;
}

/** A candidate's row: every unit of the référentiel, and the outcome when decided. */
export interface CandidateRow {
  readonly candidate: Candidate;
  readonly units: UnitRow[];
  readonly pending: boolean;
  readonly decided: boolean;
  readonly proposedOutcome?: { outcome: Outcome; validated: string[] };
  readonly outcome?: { outcome: Outcome; validated: string[] };
}

export function deliberationPath(ctx: SessionContext): string {
  return path.join(ctx.dir, 'deliberation.yaml');
}

/** deliberation.yaml as read: its YAML document, its value and its source (for diagnostics). */
export interface ReadDeliberation {
  readonly doc: Document;
  readonly value: Deliberation;
  readonly source: SourceFile;
}

/** Read deliberation.yaml (undefined when absent); invalid files raise. */
export async function readDeliberation(ctx: SessionContext): Promise<ReadDeliberation | undefined> {
  const file = deliberationPath(ctx);
  if ((await pathKind(file)) === 'missing') return undefined;
  const display = displayPath(file, ctx.cwd);
  const text = await readTextFile(file, display, ctx.lang);
  const parsed = parseYamlText(display, text, ctx.lang);
  if (!parsed.source) throw new InvalidFilesError(display, parsed.diagnostics);
  const errors = validateSchema(parsed.source, 'deliberation', ctx.lang);
  if (errors.length > 0) throw new InvalidFilesError(display, errors);
  return {
    doc: parsed.source.doc,
    value: parsed.source.value as Deliberation,
    source: parsed.source,
  };
}

/** Build every candidate's row from evaluations, earlier acquisitions and recorded decisions. */
export async function deliberationRows(
  ctx: SessionContext,
  recorded: Deliberation | undefined,
): Promise<CandidateRow[]> {
  const states = await sessionStates(ctx);
  const blocIds = ctx.ref.blocs.map((b) => b.id);
  const finalId = ctx.ref.final_evaluation?.id;
  return ctx.session.candidates.map((candidate) => {
    const rec = recorded?.candidates[candidate.id];
    const units: UnitRow[] = ctx.units.map((u) => {
      const state = states.find((s) => s.candidate.id === candidate.id && s.unit.id === u.id);
      const earlier = (candidate.acquired ?? []).some((a) => a.bloc === u.id);
      const evidence: UnitEvidence =
        earlier && !candidate.blocs.includes(u.id)
          ? { kind: 'acquired_earlier' }
          : !state
            ? { kind: 'not_attempted' }
            : state.state === 'final'
              ? { kind: 'final', valide: state.proposal?.decision === 'valide' }
              : state.state === 'draft' || state.state === 'invalid'
                ? { kind: 'draft' }
                : hasEntries(ctx, candidate.id, u.id)
                  ? { kind: 'entries' }
                  : { kind: 'not_started' };
      const r = rec?.blocs[u.id];
      const proposal = proposeUnit(evidence);
      // A decision taken on something else than what the files say now does not stand: recorded
      // before the jurors' entries (e.g. "absent" accepted too early), or before an amendment,
      // a deletion or a finalisation changed the evaluation. It is kept only to be seen as stale.
      // (An unreadable evaluation keeps its decision, so that printing from it is refused.)
      const stale =
        r !== undefined &&
        state?.state !== 'invalid' &&
        (r.proposal !== proposal || r.evaluation_hash !== state?.evaluation?.hash);
      const standing = r && !stale ? r : undefined;
      return {
        unit: u.id,
        evidence,
        proposal,
        ...(standing
          ? {
              decision: standing.decision,
              ...(standing.reason ? { reason: standing.reason } : {}),
            }
          : {}),
        ...(r
          ? {
              recorded: {
                proposal: r.proposal,
                decision: r.decision,
                ...(r.evaluation_hash ? { hash: r.evaluation_hash } : {}),
              },
            }
          : {}),
        ...(state ? { state } : {}),
        ...(stale ? { stale: true as const } : {}),
      };
    });
    const pending = units.some((u) => u.proposal === 'pending');
    const proposals: Record<string, UnitDecision | undefined> = {};
    const decisions: Record<string, UnitDecision | undefined> = {};
    for (const u of units) {
      if (u.proposal !== 'pending' && u.proposal !== 'none') proposals[u.unit] = u.proposal;
      const d =
        u.decision ??
        (u.proposal === 'acquis_anterieurement' ? 'acquis_anterieurement' : undefined);
      if (d) decisions[u.unit] = d;
    }
    const needed = units.filter((u) => u.proposal !== 'none');
    const decided = needed.every(
      (u) => u.decision !== undefined || u.proposal === 'acquis_anterieurement',
    );
    return {
      candidate,
      units,
      pending,
      decided,
      ...(pending ? {} : { proposedOutcome: outcomeOf(blocIds, finalId, proposals) }),
      ...(decided ? { outcome: outcomeOf(blocIds, finalId, decisions) } : {}),
    };
  });
}

/**
 * Blind double marking: does any juror of the unit's jury have an entry file (draft, submitted or
 * unreadable)? Such a candidate sat: the unit waits for reconciliation, it is never absent.
 */
function hasEntries(ctx: SessionContext, candidateId: string, unitId: string): boolean {
  if (!isBlind(ctx)) return false;
  return (ctx.session.juries[unitId] ?? []).some((juror) => {
    try {
      return existsSync(entryPath(ctx, candidateId, unitId, juror));
    } catch {
      // An id that cannot name a file holds no entry; `certif validate` reports it.
      return false;
    }
  });
}

/** Write deliberation.yaml (the caller holds its lock), after checking it against its schema. */
export async function writeDeliberation(ctx: SessionContext, doc: Document): Promise<void> {
  const file = deliberationPath(ctx);
  const display = displayPath(file, ctx.cwd);
  const text = withSchemaLine(documentText(doc), ctx.root, ctx.dir, 'deliberation');
  const parsed = parseYamlText(display, text, ctx.lang);
  const errors = parsed.source
    ? validateSchema(parsed.source, 'deliberation', ctx.lang)
    : parsed.diagnostics;
  if (errors.length > 0) {
    throw new InvalidFilesError(
      pick(
        ctx.lang,
        `délibération refusée, rien n’a été écrit : ${display}`,
        `deliberation refused, nothing was written: ${display}`,
      ),
      errors,
    );
  }
  await writeProjectFile(ctx.root, file, text, ctx.lang, ctx.cwd);
}

/** A new deliberation document. */
export function newDeliberationDoc(ctx: SessionContext): Document {
  const doc = new (yamlLib().Document)({ session: ctx.session.id, candidates: {} }, yamlOptions);
  doc.commentBefore = schemaComment(ctx.root, ctx.dir, 'deliberation');
  return doc;
}

/** Refuse changes to a closed deliberation. */
export function assertOpen(ctx: SessionContext, d: Deliberation | undefined): void {
  if (d?.closed) {
    throw new InputError(
      pick(
        ctx.lang,
        `La délibération est close depuis le ${d.closed.date} : elle ne se modifie plus.`,
        `The deliberation was closed on ${d.closed.date}: it is no longer edited.`,
      ),
      pick(
        ctx.lang,
        'Une nouvelle décision relève d’une nouvelle délibération (session de rattrapage).',
        'A new decision belongs to a new deliberation (a later session).',
      ),
    );
  }
}

/** Lock deliberation.yaml for a read-modify-write by one command. */
export function lockDeliberation(ctx: SessionContext, now: Date): Promise<Lock> {
  assertInsideProject(ctx.root, deliberationPath(ctx), ctx.lang, ctx.cwd);
  const display = displayPath(deliberationPath(ctx), ctx.cwd);
  return lockForCommand(deliberationPath(ctx), 'certif deliberate', now, (o) => ({
    message: pick(
      ctx.lang,
      `${display} est en cours de modification${ownerText(o, 'fr')}.`,
      `${display} is being edited${ownerText(o, 'en')}.`,
    ),
    hint: pick(
      ctx.lang,
      'Réessayez dans un instant : rien n’a été écrit.',
      'Try again in a moment: nothing was written.',
    ),
  }));
}

/**
 * Decisions taken on something that has changed since: the evaluation was amended, finalised or
 * added after the decision, so its proposal or hash is not the one the jury saw.
 */
export function staleDecisions(rows: readonly CandidateRow[]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    for (const u of row.units) {
      if (!u.recorded) continue;
      const hash = u.state?.evaluation?.hash;
      if (u.recorded.proposal !== u.proposal || u.recorded.hash !== hash)
        out.push(`${row.candidate.id} ${u.unit}`);
    }
  }
  return out;
}

/**
 * Every consumer of a closed deliberation (PV, attestations, credentials, CSV, statistics) calls
 * this first: the decisions must still be the ones sealed at the close (decisions_hash) and the
 * final evaluations the ones they rested on (digest). The rules are those `certif validate` runs
 * on deliberation.yaml, here against the evaluations of `rows`; any error refuses the output.
 */
export function assertSealed(
  ctx: SessionContext,
  read: ReadDeliberation | undefined,
  rows: readonly CandidateRow[],
): void {
  if (!read?.value.closed) return;
  const evaluations = new Map<string, Evaluation>();
  const unreadable = new Set<string>();
  for (const row of rows) {
    for (const u of row.units) {
      const key = `${row.candidate.id}/${u.unit}`;
      const e = u.state?.evaluation ?? u.state?.unused;
      if (e) evaluations.set(key, e);
      else if (u.state?.state === 'invalid') unreadable.add(key);
    }
  }
  const rc = ruleContext(ctx.lang);
  checkDeliberation(
    rc,
    read.source,
    read.value,
    ctx.session.id,
    ctx.session,
    evaluations,
    unreadable,
  );
  const errors = rc.diagnostics.filter((x) => x.severity === 'error');
  if (errors.length === 0) return;
  const display = displayPath(deliberationPath(ctx), ctx.cwd);
  throw new InvalidFilesError(
    pick(
      ctx.lang,
      `délibération close qui ne correspond plus à ce que le jury a scellé : rien n’a été produit ; lancez certif validate — ${display}`,
      `closed deliberation that no longer matches what the jury sealed: nothing was produced; run certif validate — ${display}`,
    ),
    errors,
  );
}
