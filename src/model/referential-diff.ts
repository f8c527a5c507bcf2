import {
  competenciesOf,
  DEFAULT_VALIDATION,
  type Bloc,
  type JuryRule,
  type Referential,
  type ValidationRule,
} from './types.js';

/** What kind of element an entry of the diff is about. */
export type DiffItemKind =
  | 'bloc'
  | 'activity'
  | 'competency'
  | 'criterion'
  | 'modality'
  | 'final'
  | 'final-item'
  | 'setting';

/** One fact about a paired element (several can hold at once: a moved and reworded competency). */
export type DiffFact =
  | 'recoded'
  | 'reworded'
  | 'moved-activity'
  | 'moved-bloc'
  | 'threshold'
  | 'code'
  | 'summary'
  | 'description';

/** One side of an entry: where the element stands in one référentiel. */
export interface DiffSide {
  /** Full code as printed on grids: `BC01`, `BC01.A2`, `BC01.C4`, `BC01.CR3`, `PP.E1`. */
  readonly code: string;
  readonly id: string;
  readonly bloc?: string;
  readonly activity?: string;
  readonly activityTitle?: string;
  /** Wording: title of a bloc, activity, modality; label of a competency, criterion, item. */
  readonly label: string;
  readonly threshold?: string;
  readonly blocCode?: string;
  readonly summary?: string;
  readonly description?: string;
}

/** An element contained in an added or removed bloc or activity (reported with its parent). */
export interface DiffChild {
  readonly kind: DiffItemKind;
  readonly code: string;
  readonly label: string;
}

/** One change, reported once with every fact about it. */
export interface DiffEntry {
  readonly kind: DiffItemKind;
  readonly change: 'added' | 'removed' | 'changed';
  /** The bloc the entry is listed under (new side first), `''` for the whole référentiel. */
  readonly group: string;
  readonly old?: DiffSide;
  readonly new?: DiffSide;
  readonly facts: readonly DiffFact[];
  /**
   * How a changed element was paired: same code, wording similarity (with its score), or for a
   * bloc retitled beyond recognition, the share of its competencies found in the other bloc.
   */
  readonly pairedBy?: 'id' | 'wording' | 'content';
  readonly similarity?: number;
  /** For a setting: which one (`jury`, `validation`, `title`, `soutenance_minutes`…). */
  readonly field?: string;
  readonly oldValue?: unknown;
  readonly newValue?: unknown;
  /** For an added or removed bloc or activity: what it holds. */
  readonly contains?: readonly DiffChild[];
}

/** The semantic difference between two référentiels. */
export interface ReferentialDiff {
  readonly old: { readonly id: string; readonly version: string; readonly title: string };
  readonly new: { readonly id: string; readonly version: string; readonly title: string };
  /** Blocs of both sides in report order: new ones in order, then removed ones. */
  readonly groups: readonly { readonly id: string; readonly title: string }[];
  readonly entries: readonly DiffEntry[];
}

/**
 * Two wordings are "the same element reworded" from this Dice score up. Measured on the bundled
 * référentiel: distinct competencies share domain words ("client", "prospect", "vente"), yet the
 * closest two score 0.36 (BC02.C3 and BC02.C16) and the closest two criteria 0.27; a rewording
 * that keeps the meaning (a word replaced, a clause added) stays above 0.6. 0.5 keeps a margin
 * on both sides.
 */
export const SIMILARITY_THRESHOLD = 0.5;

/**
 * What a shared code adds to the score of a pair. Two elements with the same code always may
 * pair (a code kept is a statement that it is the same element, however reworded), but a code
 * reused by a renumbering loses to the element whose wording really matches: 0.25 is less than
 * the gap between a rewording (above 0.6) and two distinct competencies (at most 0.36).
 */
export const SAME_ID_BONUS = 0.25;

const STOPWORDS = new Set(
  (
    'le la les l un une des de du d et ou a au aux en dans par pour sur son sa ses leur leurs ' +
    'que qui ce cette ces se s est sont avec afin ainsi ne pas y il elle'
  ).split(' '),
);

const wordsCache = new Map<string, Set<string>>();

/** Accent-folded, lower-case content words of a wording (French stopwords dropped). */
export function wordsOf(text: string): Set<string> {
  const hit = wordsCache.get(text);
  if (hit) return hit;
  // Pairing compares every old wording with every new one: each is split once.
  if (wordsCache.size > 20_000) wordsCache.clear();
  const words = splitWords(text);
  wordsCache.set(text, words);
  return words;
}

function splitWords(text: string): Set<string> {
  const folded = text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  return new Set(folded.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0 && !STOPWORDS.has(w)));
}

/** Dice coefficient of the content words of two wordings, in [0, 1] (1 when both are empty). */
export function similarity(a: string, b: string): number {
  const wa = wordsOf(a);
  const wb = wordsOf(b);
  if (wa.size === 0 && wb.size === 0) return 1;
  let common = 0;
  for (const w of wa) if (wb.has(w)) common++;
  return (2 * common) / (wa.size + wb.size);
}

const normalText = (s: string | undefined) =>
  (s ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();

/** Whitespace and Unicode form do not make a rewording; any other character does. */
function sameText(a: string | undefined, b: string | undefined): boolean {
  return normalText(a) === normalText(b);
}

/** An element to pair: its key (bloc and code), its id and its wording. */
export interface PairElement {
  readonly key: string;
  readonly id: string;
  readonly text: string;
}

/**
 * Every (old, new) pair of wordings whose Dice reaches `threshold`, plus the pairs `extra` asks
 * for whatever their score. Words are indexed, so only wordings sharing a word are compared:
 * near-linear on real référentiels instead of every old against every new.
 */
function scoredPairs(
  olds: readonly string[],
  news: readonly string[],
  threshold: number,
  extra: (oi: number) => readonly number[] = () => [],
): { o: number; n: number; dice: number }[] {
  const postings = new Map<string, number[]>();
  news.forEach((text, ni) => {
    for (const w of wordsOf(text)) {
      const list = postings.get(w);
      if (list) list.push(ni);
      else postings.set(w, [ni]);
    }
  });
  const out: { o: number; n: number; dice: number }[] = [];
  olds.forEach((text, oi) => {
    const wo = wordsOf(text);
    const common = new Map<number, number>();
    for (const w of wo)
      for (const ni of postings.get(w) ?? []) common.set(ni, (common.get(ni) ?? 0) + 1);
    const wanted = new Set(extra(oi));
    for (const ni of new Set([...common.keys(), ...wanted])) {
      const size = wo.size + wordsOf(news[ni] ?? '').size;
      const dice = size === 0 ? 1 : (2 * (common.get(ni) ?? 0)) / size;
      if (dice >= threshold || wanted.has(ni)) out.push({ o: oi, n: ni, dice });
    }
  });
  return out;
}

/**
 * Pair old and new elements, deterministically: identical wording first (same key preferred),
 * then greedily by best score (Dice, plus a bonus for the same key), then by order. A pair needs
 * the same key or a Dice of SIMILARITY_THRESHOLD. Returns new index by old index.
 */
export function pairElements(
  olds: readonly PairElement[],
  news: readonly PairElement[],
): Map<number, { index: number; by: 'id' | 'wording'; score: number }> {
  const pairs = new Map<number, { index: number; by: 'id' | 'wording'; score: number }>();
  const taken = new Set<number>();
  const take = (o: number, n: number, by: 'id' | 'wording', score: number) => {
    pairs.set(o, { index: n, by, score });
    taken.add(n);
  };
  const byText = new Map<string, number[]>();
  const byKey = new Map<string, number[]>();
  news.forEach((n, ni) => {
    for (const [map, k] of [
      [byText, normalText(n.text)],
      [byKey, n.key],
    ] as const) {
      const list = map.get(k);
      if (list) list.push(ni);
      else map.set(k, [ni]);
    }
  });
  // 1. Identical wording with the same key, then identical wording anywhere.
  olds.forEach((o, oi) => {
    const ni = (byText.get(normalText(o.text)) ?? []).find(
      (i) => !taken.has(i) && news[i]?.key === o.key,
    );
    if (ni !== undefined) take(oi, ni, 'id', 1);
  });
  olds.forEach((o, oi) => {
    if (pairs.has(oi)) return;
    const ni = (byText.get(normalText(o.text)) ?? []).find((i) => !taken.has(i));
    if (ni !== undefined) take(oi, ni, 'wording', 1);
  });
  // 2. Wording changed: the best remaining pairs, a shared code counting for SAME_ID_BONUS, so
  // that a code reused by a renumbering loses to the element that really carries the wording.
  const restOld = olds.map((_, i) => i).filter((i) => !pairs.has(i));
  const restNew = news.map((_, i) => i).filter((i) => !taken.has(i));
  const position = new Map(restNew.map((ni, k) => [ni, k]));
  const candidates = scoredPairs(
    restOld.map((i) => olds[i]?.text ?? ''),
    restNew.map((i) => news[i]?.text ?? ''),
    SIMILARITY_THRESHOLD,
    (k) =>
      (byKey.get(olds[restOld[k] ?? -1]?.key ?? '') ?? [])
        .map((ni) => position.get(ni))
        .filter((x): x is number => x !== undefined),
  ).map((c) => {
    const o = restOld[c.o] ?? 0;
    const n = restNew[c.n] ?? 0;
    const same = olds[o]?.key === news[n]?.key;
    return { o, n, dice: c.dice, same, score: c.dice + (same ? SAME_ID_BONUS : 0) };
  });
  candidates.sort((a, b) => b.score - a.score || a.o - b.o || a.n - b.n);
  for (const c of candidates) {
    if (pairs.has(c.o) || taken.has(c.n)) continue;
    take(c.o, c.n, c.same ? 'id' : 'wording', c.dice);
  }
  return pairs;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * A renewal may retitle and recode a bloc at once: blocs left unpaired by their title are paired
 * when most of their competencies are the same (greedy by best share, then by order), so their
 * content is not reported as moved one element at a time.
 */
function pairByContent(
  olds: readonly Bloc[],
  news: readonly Bloc[],
  pairs: Map<number, { index: number; by: 'id' | 'wording' | 'content'; score: number }>,
): void {
  const taken = new Set([...pairs.values()].map((p) => p.index));
  const comps = (blocs: readonly Bloc[], skip: (i: number) => boolean) =>
    blocs.flatMap((b, bi) =>
      skip(bi) ? [] : competenciesOf(b).map((c) => ({ bloc: bi, label: c.label })),
    );
  const oc = comps(olds, (i) => pairs.has(i));
  const nc = comps(news, (i) => taken.has(i));
  // Share of competencies: an old one counts for a new bloc when one of its competencies
  // reaches SIMILARITY_THRESHOLD; Dice over the two blocs' competency counts.
  const reached = new Set<string>();
  for (const p of scoredPairs(
    oc.map((c) => c.label),
    nc.map((c) => c.label),
    SIMILARITY_THRESHOLD,
  ))
    reached.add(JSON.stringify([p.o, nc[p.n]?.bloc]));
  const shared = new Map<string, number>();
  for (const key of reached) {
    const [o, nb] = JSON.parse(key) as [number, number];
    const k = JSON.stringify([oc[o]?.bloc, nb]);
    shared.set(k, (shared.get(k) ?? 0) + 1);
  }
  const candidates: { o: number; n: number; score: number }[] = [];
  for (const [k, count] of shared) {
    const [o, n] = JSON.parse(k) as [number, number];
    const total =
      competenciesOf(olds[o] ?? { activities: [] }).length +
      competenciesOf(news[n] ?? { activities: [] }).length;
    const score = total === 0 ? 0 : Math.min(1, (2 * count) / total);
    if (score >= SIMILARITY_THRESHOLD) candidates.push({ o, n, score });
  }
  candidates.sort((x, y) => y.score - x.score || x.o - y.o || x.n - y.n);
  for (const c of candidates) {
    if (pairs.has(c.o) || taken.has(c.n)) continue;
    pairs.set(c.o, { index: c.n, by: 'content', score: c.score });
    taken.add(c.n);
  }
}

interface Flat<T> {
  readonly item: T;
  readonly bloc: Bloc;
  readonly activity?: { id: string; title: string };
}

function flatActivities(ref: Referential): Flat<{ id: string; title: string }>[] {
  return ref.blocs.flatMap((bloc) => bloc.activities.map((a) => ({ item: a, bloc })));
}

function flatCompetencies(
  ref: Referential,
): Flat<{ id: string; label: string; threshold?: string }>[] {
  return ref.blocs.flatMap((bloc) =>
    bloc.activities.flatMap((activity) =>
      activity.competencies.map((c) => ({ item: c, bloc, activity })),
    ),
  );
}

function flatCriteria(ref: Referential): Flat<{ id: string; label: string }>[] {
  return ref.blocs.flatMap((bloc) => bloc.evaluation.criteria.map((c) => ({ item: c, bloc })));
}

function flatModalities(
  ref: Referential,
): Flat<{ id: string; title: string; description?: string }>[] {
  return ref.blocs.flatMap((bloc) => bloc.evaluation.modalities.map((m) => ({ item: m, bloc })));
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function normalRule(rule: ValidationRule | undefined): ValidationRule {
  const r = rule ?? DEFAULT_VALIDATION;
  return {
    rule: r.rule,
    ...(r.min_count !== undefined ? { min_count: r.min_count } : {}),
    ...(r.min_ratio !== undefined ? { min_ratio: r.min_ratio } : {}),
    ...(r.required?.length ? { required: [...r.required].sort() } : {}),
  };
}

function normalJury(j: JuryRule): JuryRule {
  return { size: j.size, min_independent: j.min_independent };
}

/**
 * The semantic difference from `a` (old) to `b` (new): blocs, activities, competencies, criteria,
 * modalities and final-evaluation items added, removed, reworded, recoded or moved; jury,
 * validation rules, thresholds and other settings changed. Pure: no I/O.
 */
export function diffReferentials(a: Referential, b: Referential): ReferentialDiff {
  const entries: DiffEntry[] = [];

  // Blocs: the key is the bloc id.
  const blocPairs: Map<number, { index: number; by: 'id' | 'wording' | 'content'; score: number }> =
    pairElements(
      a.blocs.map((x) => ({ key: x.id, id: x.id, text: x.title })),
      b.blocs.map((x) => ({ key: x.id, id: x.id, text: x.title })),
    );
  pairByContent(a.blocs, b.blocs, blocPairs);
  const newBlocOf = new Map<string, string>();
  for (const [oi, p] of blocPairs) {
    const ob = a.blocs[oi];
    const nb = b.blocs[p.index];
    if (ob && nb) newBlocOf.set(ob.id, nb.id);
  }
  const pairedNewBlocs = new Set(newBlocOf.values());
  const addedBlocs = new Set(b.blocs.filter((x) => !pairedNewBlocs.has(x.id)).map((x) => x.id));
  const removedBlocs = new Set(a.blocs.filter((x) => !newBlocOf.has(x.id)).map((x) => x.id));
  // An element of an old bloc is looked for under the key of the bloc it became.
  const oldKey = (bloc: string, id: string) => `${newBlocOf.get(bloc) ?? `old:${bloc}`}/${id}`;
  const newKey = (bloc: string, id: string) => `${bloc}/${id}`;

  // Children of an added or removed bloc paired elsewhere have an entry of their own.
  const pairedOld = new Set<string>();
  const pairedNew = new Set<string>();
  const blocSide = (x: Bloc): DiffSide => ({
    code: x.id,
    id: x.id,
    label: x.title,
    ...(x.code ? { blocCode: x.code } : {}),
    ...(x.summary ? { summary: x.summary } : {}),
  });
  const childrenOf = (x: Bloc): DiffChild[] => [
    ...x.activities.flatMap((act) => [
      { kind: 'activity' as const, code: `${x.id}.${act.id}`, label: act.title },
      ...act.competencies.map((c) => ({
        kind: 'competency' as const,
        code: `${x.id}.${c.id}`,
        label: c.label,
      })),
    ]),
    ...x.evaluation.criteria.map((c) => ({
      kind: 'criterion' as const,
      code: `${x.id}.${c.id}`,
      label: c.label,
    })),
    ...x.evaluation.modalities.map((m) => ({
      kind: 'modality' as const,
      code: `${x.id}.${m.id}`,
      label: m.title,
    })),
  ];

  a.blocs.forEach((ob, oi) => {
    const p = blocPairs.get(oi);
    const nb = p ? b.blocs[p.index] : undefined;
    if (!p || !nb) {
      entries.push({
        kind: 'bloc',
        change: 'removed',
        group: ob.id,
        old: blocSide(ob),
        facts: [],
        contains: childrenOf(ob),
      });
      return;
    }
    const facts: DiffFact[] = [];
    if (ob.id !== nb.id) facts.push('recoded');
    if (!sameText(ob.title, nb.title)) facts.push('reworded');
    if ((ob.code ?? '') !== (nb.code ?? '')) facts.push('code');
    if (!sameText(ob.summary, nb.summary)) facts.push('summary');
    if (facts.length > 0) {
      entries.push({
        kind: 'bloc',
        change: 'changed',
        group: nb.id,
        old: blocSide(ob),
        new: blocSide(nb),
        facts,
        pairedBy: p.by,
        similarity: round(p.score),
      });
    }
    const ov = normalRule(ob.validation);
    const nv = normalRule(nb.validation);
    if (!sameJson(ov, nv)) {
      entries.push({
        kind: 'setting',
        change: 'changed',
        group: nb.id,
        field: 'validation',
        oldValue: ov,
        newValue: nv,
        facts: [],
      });
    }
  });
  for (const nb of b.blocs) {
    if (!addedBlocs.has(nb.id)) continue;
    entries.push({
      kind: 'bloc',
      change: 'added',
      group: nb.id,
      new: blocSide(nb),
      facts: [],
      contains: childrenOf(nb),
    });
  }

  // Activities: keyed by (bloc it became, id). Those of an added or removed bloc are in its entry.
  const oa = flatActivities(a);
  const na = flatActivities(b);
  const actPairs = pairElements(
    oa.map((x) => ({ key: oldKey(x.bloc.id, x.item.id), id: x.item.id, text: x.item.title })),
    na.map((x) => ({ key: newKey(x.bloc.id, x.item.id), id: x.item.id, text: x.item.title })),
  );
  const newActivityOf = new Map<string, string>();
  const pairedNewActivities = new Set<string>();
  const actSide = (x: Flat<{ id: string; title: string }>): DiffSide => ({
    code: `${x.bloc.id}.${x.item.id}`,
    id: x.item.id,
    bloc: x.bloc.id,
    label: x.item.title,
  });
  oa.forEach((o, oi) => {
    const p = actPairs.get(oi);
    const n = p ? na[p.index] : undefined;
    if (!p || !n) {
      if (!removedBlocs.has(o.bloc.id)) {
        entries.push({
          kind: 'activity',
          change: 'removed',
          group: newBlocOf.get(o.bloc.id) ?? o.bloc.id,
          old: actSide(o),
          facts: [],
          contains: [],
        });
      }
      return;
    }
    newActivityOf.set(`${o.bloc.id}/${o.item.id}`, `${n.bloc.id}/${n.item.id}`);
    pairedOld.add(`activity:${o.bloc.id}.${o.item.id}`);
    pairedNew.add(`activity:${n.bloc.id}.${n.item.id}`);
    pairedNewActivities.add(`${n.bloc.id}/${n.item.id}`);
    const facts: DiffFact[] = [];
    if (o.item.id !== n.item.id) facts.push('recoded');
    if (!sameText(o.item.title, n.item.title)) facts.push('reworded');
    if (newBlocOf.get(o.bloc.id) !== n.bloc.id) facts.push('moved-bloc');
    if (facts.length > 0) {
      entries.push({
        kind: 'activity',
        change: 'changed',
        group: n.bloc.id,
        old: actSide(o),
        new: actSide(n),
        facts,
        pairedBy: p.by,
        similarity: round(p.score),
      });
    }
  });
  const addedActivities = new Set<string>();
  for (const n of na) {
    const k = `${n.bloc.id}/${n.item.id}`;
    if (pairedNewActivities.has(k)) continue;
    addedActivities.add(k);
    if (addedBlocs.has(n.bloc.id)) continue;
    entries.push({
      kind: 'activity',
      change: 'added',
      group: n.bloc.id,
      new: actSide(n),
      facts: [],
      contains: [],
    });
  }

  // Competencies: keyed by (bloc it became, id); an activity move is judged through the pairing
  // of activities, a bloc move through the pairing of blocs.
  const oc = flatCompetencies(a);
  const nc = flatCompetencies(b);
  const compPairs = pairElements(
    oc.map((x) => ({ key: oldKey(x.bloc.id, x.item.id), id: x.item.id, text: x.item.label })),
    nc.map((x) => ({ key: newKey(x.bloc.id, x.item.id), id: x.item.id, text: x.item.label })),
  );
  const compSide = (x: Flat<{ id: string; label: string; threshold?: string }>): DiffSide => ({
    code: `${x.bloc.id}.${x.item.id}`,
    id: x.item.id,
    bloc: x.bloc.id,
    ...(x.activity ? { activity: x.activity.id, activityTitle: x.activity.title } : {}),
    label: x.item.label,
    ...(x.item.threshold ? { threshold: x.item.threshold } : {}),
  });
  const pairedNewComps = new Set<number>();
  const addedToActivity = new Map<string, DiffChild[]>();
  const removedFromActivity = new Map<string, DiffChild[]>();
  const push = (m: Map<string, DiffChild[]>, k: string, c: DiffChild) => {
    const list = m.get(k) ?? [];
    list.push(c);
    m.set(k, list);
  };
  oc.forEach((o, oi) => {
    const p = compPairs.get(oi);
    const n = p ? nc[p.index] : undefined;
    if (!p || !n) {
      if (removedBlocs.has(o.bloc.id)) return;
      const actKey = `${o.bloc.id}/${o.activity?.id ?? ''}`;
      if (!newActivityOf.has(actKey)) {
        push(removedFromActivity, actKey, {
          kind: 'competency',
          code: `${o.bloc.id}.${o.item.id}`,
          label: o.item.label,
        });
        return;
      }
      entries.push({
        kind: 'competency',
        change: 'removed',
        group: newBlocOf.get(o.bloc.id) ?? o.bloc.id,
        old: compSide(o),
        facts: [],
      });
      return;
    }
    pairedNewComps.add(p.index);
    pairedOld.add(`competency:${o.bloc.id}.${o.item.id}`);
    pairedNew.add(`competency:${n.bloc.id}.${n.item.id}`);
    const facts: DiffFact[] = [];
    if (o.item.id !== n.item.id) facts.push('recoded');
    if (!sameText(o.item.label, n.item.label)) facts.push('reworded');
    const movedBloc = newBlocOf.get(o.bloc.id) !== n.bloc.id;
    if (movedBloc) facts.push('moved-bloc');
    const becameActivity = newActivityOf.get(`${o.bloc.id}/${o.activity?.id ?? ''}`);
    if (!movedBloc && becameActivity !== `${n.bloc.id}/${n.activity?.id ?? ''}`)
      facts.push('moved-activity');
    if (!sameText(o.item.threshold, n.item.threshold)) facts.push('threshold');
    if (facts.length > 0) {
      entries.push({
        kind: 'competency',
        change: 'changed',
        group: n.bloc.id,
        old: compSide(o),
        new: compSide(n),
        facts,
        pairedBy: p.by,
        similarity: round(p.score),
      });
    }
  });
  nc.forEach((n, ni) => {
    if (pairedNewComps.has(ni) || addedBlocs.has(n.bloc.id)) return;
    const actKey = `${n.bloc.id}/${n.activity?.id ?? ''}`;
    if (addedActivities.has(actKey)) {
      push(addedToActivity, actKey, {
        kind: 'competency',
        code: `${n.bloc.id}.${n.item.id}`,
        label: n.item.label,
      });
      return;
    }
    entries.push({
      kind: 'competency',
      change: 'added',
      group: n.bloc.id,
      new: compSide(n),
      facts: [],
    });
  });
  // Competencies that came and went with their activity are listed in the activity's entry.
  for (const [i, e] of entries.entries()) {
    if (e.kind !== 'activity' || e.change === 'changed') continue;
    const side = e.change === 'added' ? e.new : e.old;
    const k = `${side?.bloc ?? ''}/${side?.id ?? ''}`;
    const list = (e.change === 'added' ? addedToActivity : removedFromActivity).get(k) ?? [];
    entries[i] = { ...e, contains: list };
  }

  // Criteria and modalities: keyed by (bloc it became, id).
  const pairSimple = <T extends { id: string }>(
    kind: 'criterion' | 'modality',
    olds: Flat<T>[],
    news: Flat<T>[],
    text: (x: T) => string,
    detail: (x: T) => string | undefined,
  ) => {
    const pairs = pairElements(
      olds.map((x) => ({ key: oldKey(x.bloc.id, x.item.id), id: x.item.id, text: text(x.item) })),
      news.map((x) => ({ key: newKey(x.bloc.id, x.item.id), id: x.item.id, text: text(x.item) })),
    );
    const side = (x: Flat<T>): DiffSide => {
      const d = detail(x.item);
      return {
        code: `${x.bloc.id}.${x.item.id}`,
        id: x.item.id,
        bloc: x.bloc.id,
        label: text(x.item),
        ...(d ? { description: d } : {}),
      };
    };
    const paired = new Set<number>();
    olds.forEach((o, oi) => {
      const p = pairs.get(oi);
      const n = p ? news[p.index] : undefined;
      if (!p || !n) {
        if (!removedBlocs.has(o.bloc.id))
          entries.push({
            kind,
            change: 'removed',
            group: newBlocOf.get(o.bloc.id) ?? o.bloc.id,
            old: side(o),
            facts: [],
          });
        return;
      }
      paired.add(p.index);
      pairedOld.add(`${kind}:${o.bloc.id}.${o.item.id}`);
      pairedNew.add(`${kind}:${n.bloc.id}.${n.item.id}`);
      const facts: DiffFact[] = [];
      if (o.item.id !== n.item.id) facts.push('recoded');
      if (!sameText(text(o.item), text(n.item))) facts.push('reworded');
      if (!sameText(detail(o.item), detail(n.item))) facts.push('description');
      if (newBlocOf.get(o.bloc.id) !== n.bloc.id) facts.push('moved-bloc');
      if (facts.length > 0)
        entries.push({
          kind,
          change: 'changed',
          group: n.bloc.id,
          old: side(o),
          new: side(n),
          facts,
          pairedBy: p.by,
          similarity: round(p.score),
        });
    });
    news.forEach((n, ni) => {
      if (paired.has(ni) || addedBlocs.has(n.bloc.id)) return;
      entries.push({ kind, change: 'added', group: n.bloc.id, new: side(n), facts: [] });
    });
  };
  pairSimple(
    'criterion',
    flatCriteria(a),
    flatCriteria(b),
    (x) => x.label,
    () => undefined,
  );
  pairSimple(
    'modality',
    flatModalities(a),
    flatModalities(b),
    (x) => x.title,
    (x) => x.description,
  );

  for (const [i, e] of entries.entries()) {
    if (e.kind !== 'bloc' || e.change === 'changed') continue;
    const paired = e.change === 'added' ? pairedNew : pairedOld;
    entries[i] = {
      ...e,
      contains: (e.contains ?? []).filter((c) => !paired.has(`${c.kind}:${c.code}`)),
    };
  }
  diffSettings(a, b, entries);
  return {
    old: { id: a.id, version: a.version, title: a.title },
    new: { id: b.id, version: b.version, title: b.title },
    groups: [
      ...b.blocs.map((x) => ({ id: x.id, title: x.title })),
      ...a.blocs
        .filter((x) => removedBlocs.has(x.id) && !b.blocs.some((n) => n.id === x.id))
        .map((x) => ({ id: x.id, title: x.title })),
    ],
    entries: sortEntries(entries, a, b),
  };
}

/** Référentiel-wide settings and the final evaluation. */
function diffSettings(a: Referential, b: Referential, entries: DiffEntry[]): void {
  const setting = (group: string, field: string, oldValue: unknown, newValue: unknown) => {
    if (sameJson(oldValue ?? null, newValue ?? null)) return;
    entries.push({
      kind: 'setting',
      change: 'changed',
      group,
      field,
      oldValue: oldValue ?? null,
      newValue: newValue ?? null,
      facts: [],
    });
  };
  setting('', 'title', a.title, b.title);
  setting('', 'rncp', a.rncp, b.rncp);
  setting('', 'level', a.level, b.level);
  setting('', 'legal_basis', a.legal_basis, b.legal_basis);
  setting('', 'jury', normalJury(a.jury), normalJury(b.jury));
  setting(
    '',
    'observation_required',
    a.grading?.observation_required ?? 'non_acquis',
    b.grading?.observation_required ?? 'non_acquis',
  );
  setting('', 'principles', a.principles ?? [], b.principles ?? []);

  const fa = a.final_evaluation;
  const fb = b.final_evaluation;
  const feSide = (f: NonNullable<Referential['final_evaluation']>): DiffSide => ({
    code: f.id,
    id: f.id,
    label: f.title,
    ...(f.description ? { description: f.description } : {}),
  });
  const feChildren = (f: NonNullable<Referential['final_evaluation']>): DiffChild[] =>
    f.items.map((i) => ({ kind: 'final-item', code: `${f.id}.${i.id}`, label: i.label }));
  if (fa && !fb) {
    entries.push({
      kind: 'final',
      change: 'removed',
      group: fa.id,
      old: feSide(fa),
      facts: [],
      contains: feChildren(fa),
    });
    return;
  }
  if (!fa && fb) {
    entries.push({
      kind: 'final',
      change: 'added',
      group: fb.id,
      new: feSide(fb),
      facts: [],
      contains: feChildren(fb),
    });
    return;
  }
  if (!fa || !fb) return;
  const facts: DiffFact[] = [];
  if (fa.id !== fb.id) facts.push('recoded');
  if (!sameText(fa.title, fb.title)) facts.push('reworded');
  if (!sameText(fa.description, fb.description)) facts.push('description');
  if (facts.length > 0) {
    entries.push({
      kind: 'final',
      change: 'changed',
      group: fb.id,
      old: feSide(fa),
      new: feSide(fb),
      facts,
      pairedBy: 'id',
      similarity: round(similarity(fa.title, fb.title)),
    });
  }
  setting(fb.id, 'soutenance_minutes', fa.soutenance_minutes, fb.soutenance_minutes);
  // Only its own jury: an inherited one is reported once, with the référentiel's.
  setting(fb.id, 'jury', fa.jury && normalJury(fa.jury), fb.jury && normalJury(fb.jury));
  setting(fb.id, 'validation', normalRule(fa.validation), normalRule(fb.validation));
  const pairs = pairElements(
    fa.items.map((i) => ({ key: i.id, id: i.id, text: i.label })),
    fb.items.map((i) => ({ key: i.id, id: i.id, text: i.label })),
  );
  const side = (f: typeof fa, i: { id: string; label: string }): DiffSide => ({
    code: `${f.id}.${i.id}`,
    id: i.id,
    bloc: f.id,
    label: i.label,
  });
  const paired = new Set<number>();
  fa.items.forEach((o, oi) => {
    const p = pairs.get(oi);
    const n = p ? fb.items[p.index] : undefined;
    if (!p || !n) {
      entries.push({
        kind: 'final-item',
        change: 'removed',
        group: fb.id,
        old: side(fa, o),
        facts: [],
      });
      return;
    }
    paired.add(p.index);
    const f: DiffFact[] = [];
    if (o.id !== n.id) f.push('recoded');
    if (!sameText(o.label, n.label)) f.push('reworded');
    if (f.length > 0)
      entries.push({
        kind: 'final-item',
        change: 'changed',
        group: fb.id,
        old: side(fa, o),
        new: side(fb, n),
        facts: f,
        pairedBy: p.by,
        similarity: round(p.score),
      });
  });
  fb.items.forEach((n, ni) => {
    if (!paired.has(ni))
      entries.push({
        kind: 'final-item',
        change: 'added',
        group: fb.id,
        new: side(fb, n),
        facts: [],
      });
  });
}

const KIND_ORDER: readonly DiffItemKind[] = [
  'setting',
  'final',
  'bloc',
  'activity',
  'competency',
  'criterion',
  'modality',
  'final-item',
];

/**
 * Report order: référentiel-wide first, then each bloc (new order, then removed blocs), then the
 * final evaluation; inside a group, by kind, then by position in the new (or old) référentiel.
 */
function sortEntries(entries: DiffEntry[], a: Referential, b: Referential): DiffEntry[] {
  const groupOrder = [
    '',
    ...b.blocs.map((x) => x.id),
    ...a.blocs.map((x) => x.id).filter((id) => !b.blocs.some((x) => x.id === id)),
    b.final_evaluation?.id ?? '',
    a.final_evaluation?.id ?? '',
  ];
  const codesOf = (ref: Referential): Map<string, number> => {
    const codes = [
      ...ref.blocs.flatMap((x) => [
        x.id,
        ...x.activities.flatMap((act) => [
          `${x.id}.${act.id}`,
          ...act.competencies.map((c) => `${x.id}.${c.id}`),
        ]),
        ...x.evaluation.criteria.map((c) => `${x.id}.${c.id}`),
        ...x.evaluation.modalities.map((m) => `${x.id}.${m.id}`),
      ]),
      ...(ref.final_evaluation?.items.map((i) => `${ref.final_evaluation?.id ?? ''}.${i.id}`) ??
        []),
    ];
    const map = new Map<string, number>();
    codes.forEach((c, i) => {
      if (!map.has(c)) map.set(c, i);
    });
    return map;
  };
  const oldCodes = codesOf(a);
  const newCodes = codesOf(b);
  const position = (e: DiffEntry): number => {
    const side = e.new ?? e.old;
    if (!side) return 0;
    // Removed elements come after the kept ones of their group.
    return e.new ? (newCodes.get(side.code) ?? 0) : 100_000 + (oldCodes.get(side.code) ?? 0);
  };
  return entries
    .map((e, i) => ({ e, i, g: groupOrder.indexOf(e.group), k: KIND_ORDER.indexOf(e.kind) }))
    .sort((x, y) => x.g - y.g || x.k - y.k || position(x.e) - position(y.e) || x.i - y.i)
    .map((x) => x.e);
}
