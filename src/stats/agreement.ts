import type { Verdict } from '../model/types.js';
import { cohenKappa, landisKoch, type Agreement, type Strength } from './kappa.js';

/** Agreement is flagged low below this kappa… */
export const LOW_KAPPA = 0.4;
/** …when at least this many double-marked judgements back it (fewer say little). */
export const MIN_JUDGEMENTS = 10;

/**
 * One jury member's entry for a candidate and bloc, as agreement needs it. `absent` stands for
 * no entry yet (or one that does not read as an entry); verdicts of a draft are never used.
 */
export interface JurorEntry {
  readonly candidate: string;
  readonly bloc: string;
  readonly juror: string;
  readonly status: 'absent' | 'draft' | 'submitted';
  readonly verdicts: Readonly<Record<string, Verdict>>;
}

/** One juror pair on one competency (or on every competency, `competency` undefined). */
export interface AgreementRow extends Agreement {
  readonly unit?: string;
  readonly competency?: string;
  readonly strength?: Strength;
  /** κ < {@link LOW_KAPPA} with n ≥ {@link MIN_JUDGEMENTS}. */
  readonly low: boolean;
}

/** A pair of jurors (ordered by id) and their agreement, overall and per competency. */
export interface JurorPair {
  readonly a: string;
  readonly b: string;
  readonly overall: AgreementRow;
  readonly competencies: readonly AgreementRow[];
  /**
   * Candidate × bloc where this pair has started but not both submitted: pending, so none of
   * their values count (blindness: a draft is never compared).
   */
  readonly pending: number;
}

function row(pairs: readonly (readonly [Verdict, Verdict])[], where: object): AgreementRow {
  const k = cohenKappa(pairs);
  return {
    ...where,
    ...k,
    ...(k.kappa !== undefined ? { strength: landisKoch(k.kappa) } : {}),
    low: k.kappa !== undefined && k.kappa < LOW_KAPPA && k.n >= MIN_JUDGEMENTS,
  };
}

/**
 * Agreement data: for every (session, candidate, bloc) where two or more jurors submitted an
 * entry, each pair of them (ordered by juror id) and each competency both judged. A pair where
 * one entry exists but the other is not submitted yet only counts as pending. `order` gives the
 * position of a unit.competency in the référentiel, for a stable listing.
 */
export function jurorAgreement(
  sessions: readonly { readonly id: string; readonly entries: readonly JurorEntry[] }[],
  order: (unit: string, competency: string) => number,
): JurorPair[] {
  const byPair = new Map<string, Map<string, [Verdict, Verdict][]>>();
  const pending = new Map<string, number>();
  for (const s of sessions) {
    const groups = new Map<string, JurorEntry[]>();
    for (const e of s.entries) {
      const key = `${e.candidate}\u0000${e.bloc}`;
      groups.set(key, [...(groups.get(key) ?? []), e]);
    }
    for (const group of groups.values()) {
      const sorted = [...group].sort((x, y) => (x.juror < y.juror ? -1 : 1));
      for (let i = 0; i < sorted.length; i++) {
        for (let j = i + 1; j < sorted.length; j++) {
          const x = sorted[i] as JurorEntry;
          const y = sorted[j] as JurorEntry;
          const pairKey = `${x.juror}\u0000${y.juror}`;
          if (x.status !== 'submitted' || y.status !== 'submitted') {
            if (x.status !== 'absent' || y.status !== 'absent')
              pending.set(pairKey, (pending.get(pairKey) ?? 0) + 1);
            continue;
          }
          const comps = byPair.get(pairKey) ?? new Map<string, [Verdict, Verdict][]>();
          byPair.set(pairKey, comps);
          for (const [id, vx] of Object.entries(x.verdicts)) {
            const vy = y.verdicts[id];
            if (vy === undefined) continue;
            const key = `${x.bloc}\u0000${id}`;
            comps.set(key, [...(comps.get(key) ?? []), [vx, vy]]);
          }
        }
      }
    }
  }
  for (const pairKey of pending.keys()) if (!byPair.has(pairKey)) byPair.set(pairKey, new Map());
  return [...byPair.entries()]
    .sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0))
    .map(([pairKey, comps]) => {
      const [a = '', b = ''] = pairKey.split('\u0000');
      const keys = [...comps.keys()]
        .map((k) => {
          const [unit = '', competency = ''] = k.split('\u0000');
          return { k, unit, competency, at: order(unit, competency) };
        })
        .sort(
          (p, q) =>
            p.at - q.at ||
            (p.unit < q.unit ? -1 : p.unit > q.unit ? 1 : 0) ||
            (p.competency < q.competency ? -1 : p.competency > q.competency ? 1 : 0),
        );
      return {
        a,
        b,
        overall: row([...comps.values()].flat(), {}),
        competencies: keys.map(({ k, unit, competency }) =>
          row(comps.get(k) ?? [], { unit, competency }),
        ),
        pending: pending.get(pairKey) ?? 0,
      };
    });
}
