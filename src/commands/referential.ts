import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Io } from '../cli/io.js';
import { UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import {
  diffReferentials,
  type DiffChild,
  type DiffEntry,
  type DiffFact,
  type DiffItemKind,
  type ReferentialDiff,
} from '../model/referential-diff.js';
import type { Session } from '../model/session.js';
import type { JuryRule, ValidationRule } from '../model/types.js';
import { displayPath, pathKind } from '../project/files.js';
import { loadFile } from '../project/load.js';
import {
  compareVersions,
  resolveReferential,
  scanReferentials,
  type LoadedReferential,
} from '../project/referentials.js';
import { findProjectRoot } from '../project/root.js';
import { escapeMarkdown } from '../render/escape.js';

/** Options of `certif referential diff`. */
export interface DiffOptions {
  readonly format: 'md' | 'json';
  readonly lang: Lang;
}

/**
 * `certif referential diff <old> <new>`: what changes from one référentiel to another, as a
 * report a certifier reviews before adopting a renewal. 0 when identical, 1 when they differ.
 */
export async function referentialDiffCommand(
  oldSpec: string,
  newSpec: string,
  options: DiffOptions,
  io: Io,
): Promise<number> {
  const { lang } = options;
  const root = await findProjectRoot(io.cwd);
  const a = await resolveReferential(oldSpec, root, io.cwd, lang);
  const b = await resolveReferential(newSpec, root, io.cwd, lang);
  const diff = diffReferentials(a.ref, b.ref);
  const counts = countChanges(diff.entries);
  if (options.format === 'json') {
    const side = (l: LoadedReferential) => ({
      id: l.ref.id,
      version: l.ref.version,
      title: l.ref.title,
      file: displayPath(l.abs, io.cwd).split(path.sep).join('/'),
      hash: l.hash,
    });
    io.stdout.write(
      JSON.stringify(
        {
          old: side(a),
          new: side(b),
          identical: diff.entries.length === 0,
          counts,
          entries: diff.entries,
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    io.stdout.write(markdown(diff, a, b, io.cwd, lang));
  }
  return diff.entries.length === 0 ? 0 : 1;
}

function countChanges(entries: readonly DiffEntry[]): {
  added: number;
  removed: number;
  changed: number;
} {
  return {
    added: entries.filter((e) => e.change === 'added').length,
    removed: entries.filter((e) => e.change === 'removed').length,
    changed: entries.filter((e) => e.change === 'changed').length,
  };
}

const KIND: Record<DiffItemKind, [string, string]> = {
  bloc: ['Bloc', 'Bloc'],
  activity: ['Activité', 'Activity'],
  competency: ['Compétence', 'Competency'],
  criterion: ['Critère', 'Criterion'],
  modality: ['Modalité', 'Modality'],
  final: ['Évaluation finale', 'Final evaluation'],
  'final-item': ['Élément de l’évaluation finale', 'Final evaluation item'],
  setting: ['Paramètre', 'Setting'],
};

const FACT: Record<DiffFact, [string, string]> = {
  recoded: ['nouveau code', 'recoded'],
  reworded: ['reformulation', 'reworded'],
  'moved-activity': ['changement d’activité', 'moved to another activity'],
  'moved-bloc': ['changement de bloc', 'moved to another bloc'],
  threshold: ['seuil modifié', 'threshold changed'],
  code: ['code RNCP modifié', 'RNCP code changed'],
  summary: ['résumé modifié', 'summary changed'],
  description: ['description modifiée', 'description changed'],
};

const FIELD: Record<string, [string, string]> = {
  title: ['Intitulé de la certification', 'Title of the certification'],
  rncp: ['Numéro RNCP', 'RNCP number'],
  level: ['Niveau', 'Level'],
  legal_basis: ['Base légale', 'Legal basis'],
  jury: ['Composition du jury', 'Jury composition'],
  observation_required: ['Observation obligatoire', 'Observation required'],
  principles: ['Principes d’évaluation', 'Evaluation principles'],
  validation: ['Règle de validation', 'Validation rule'],
  soutenance_minutes: ['Durée de la soutenance (min)', 'Soutenance length (min)'],
};

function juryText(j: JuryRule, lang: Lang): string {
  return pick(
    lang,
    `${j.size} juré(s), dont au moins ${j.min_independent} indépendant(s)`,
    `${j.size} juror(s), at least ${j.min_independent} independent`,
  );
}

function ruleText(r: ValidationRule, lang: Lang): string {
  const base =
    r.rule === 'all'
      ? pick(lang, 'toutes les compétences acquises', 'every competency acquired')
      : r.rule === 'min_count'
        ? pick(
            lang,
            `au moins ${r.min_count ?? 0} compétences acquises`,
            `at least ${r.min_count ?? 0} competencies acquired`,
          )
        : pick(
            lang,
            `au moins ${Math.round((r.min_ratio ?? 1) * 100)} % des compétences acquises`,
            `at least ${Math.round((r.min_ratio ?? 1) * 100)}% of competencies acquired`,
          );
  return r.required?.length
    ? base +
        pick(lang, ` (exigées : ${r.required.join(', ')})`, ` (required: ${r.required.join(', ')})`)
    : base;
}

function valueText(field: string, value: unknown, lang: Lang): string {
  if (value === null || value === undefined) return pick(lang, '(aucun)', '(none)');
  if (field === 'jury') return juryText(value as JuryRule, lang);
  if (field === 'validation') return ruleText(value as ValidationRule, lang);
  if (field === 'observation_required') {
    const v = value as string;
    return v === 'always'
      ? pick(lang, 'toujours', 'always')
      : v === 'never'
        ? pick(lang, 'jamais', 'never')
        : pick(lang, 'pour un Non acquis', 'for a Non acquis');
  }
  if (typeof value === 'string') return `« ${escapeMarkdown(value)} »`;
  return escapeMarkdown(JSON.stringify(value));
}

/** French typography puts a space before a colon; English does not. */
function colon(lang: Lang): string {
  return pick(lang, ' : ', ': ');
}

function quote(text: string, lang: Lang): string {
  return pick(lang, `« ${escapeMarkdown(text)} »`, `“${escapeMarkdown(text)}”`);
}

function settingLines(e: DiffEntry, lang: Lang): string[] {
  const field = e.field ?? '';
  const name = pick(lang, ...(FIELD[field] ?? [field, field]));
  if (field === 'principles') {
    const before = (e.oldValue as string[] | null) ?? [];
    const after = (e.newValue as string[] | null) ?? [];
    return [
      `- **${name}**`,
      ...before
        .filter((p) => !after.includes(p))
        .map((p) => `  - ${pick(lang, 'retiré', 'removed')}${colon(lang)}${quote(p, lang)}`),
      ...after
        .filter((p) => !before.includes(p))
        .map((p) => `  - ${pick(lang, 'ajouté', 'added')}${colon(lang)}${quote(p, lang)}`),
    ];
  }
  return [
    `- **${name}**${colon(lang)}${valueText(field, e.oldValue, lang)} → ${valueText(field, e.newValue, lang)}`,
  ];
}

function childLines(children: readonly DiffChild[], lang: Lang): string[] {
  return children.map((c) => {
    const indent =
      c.kind === 'competency' && children.some((x) => x.kind === 'activity') ? '    ' : '  ';
    return `${indent}- ${pick(lang, ...KIND[c.kind])} ${escapeMarkdown(c.code)} ${quote(c.label, lang)}`;
  });
}

function entryLines(e: DiffEntry, lang: Lang): string[] {
  if (e.kind === 'setting') return settingLines(e, lang);
  const kind = pick(lang, ...KIND[e.kind]);
  const codes =
    e.old && e.new && e.old.code !== e.new.code
      ? `${e.old.code} → ${e.new.code}`
      : ((e.new ?? e.old)?.code ?? '');
  const what =
    e.change === 'added'
      ? [pick(lang, 'ajout', 'added')]
      : e.change === 'removed'
        ? [pick(lang, 'suppression', 'removed')]
        : e.facts.map((f) => pick(lang, ...FACT[f]));
  const lines = [`- **${kind} ${escapeMarkdown(codes)}** — ${what.join(', ')}`];
  const o = e.old;
  const n = e.new;
  if (e.change !== 'changed') {
    const side = n ?? o;
    if (side) lines.push(`  - ${quote(side.label, lang)}`);
    if (side?.activity && e.kind === 'competency')
      lines.push(
        `  - ${pick(lang, 'activité', 'activity')} ${escapeMarkdown(`${side.bloc ?? ''}.${side.activity}`)} ${quote(side.activityTitle ?? '', lang)}`,
      );
    lines.push(...childLines(e.contains ?? [], lang));
    return lines;
  }
  if (!o || !n) return lines;
  if (e.facts.includes('reworded')) {
    lines.push(`  - ${pick(lang, 'avant', 'before')}${colon(lang)}${quote(o.label, lang)}`);
    lines.push(`  - ${pick(lang, 'après', 'after')}${colon(lang)}${quote(n.label, lang)}`);
  } else {
    lines.push(`  - ${quote(n.label, lang)}`);
  }
  if (e.facts.includes('moved-activity') || (e.facts.includes('moved-bloc') && n.activity)) {
    lines.push(
      `  - ${pick(lang, 'activité', 'activity')}${colon(lang)}${escapeMarkdown(`${o.bloc ?? ''}.${o.activity ?? ''}`)} ${quote(o.activityTitle ?? '', lang)} → ${escapeMarkdown(`${n.bloc ?? ''}.${n.activity ?? ''}`)} ${quote(n.activityTitle ?? '', lang)}`,
    );
  } else if (e.facts.includes('moved-bloc')) {
    lines.push(
      `  - ${pick(lang, 'bloc', 'bloc')}${colon(lang)}${escapeMarkdown(o.bloc ?? '')} → ${escapeMarkdown(n.bloc ?? '')}`,
    );
  }
  if (e.facts.includes('threshold')) {
    lines.push(
      `  - ${pick(lang, 'seuil', 'threshold')}${colon(lang)}${o.threshold ? quote(o.threshold, lang) : pick(lang, '(aucun)', '(none)')} → ${n.threshold ? quote(n.threshold, lang) : pick(lang, '(aucun)', '(none)')}`,
    );
  }
  if (e.facts.includes('code')) {
    lines.push(
      `  - ${pick(lang, 'code RNCP', 'RNCP code')}${colon(lang)}${escapeMarkdown(o.blocCode ?? '—')} → ${escapeMarkdown(n.blocCode ?? '—')}`,
    );
  }
  if (e.facts.includes('summary')) {
    lines.push(
      `  - ${pick(lang, 'résumé avant', 'summary before')}${colon(lang)}${quote(o.summary ?? '', lang)}`,
    );
    lines.push(
      `  - ${pick(lang, 'résumé après', 'summary after')}${colon(lang)}${quote(n.summary ?? '', lang)}`,
    );
  }
  if (e.facts.includes('description')) {
    lines.push(
      `  - ${pick(lang, 'description avant', 'description before')}${colon(lang)}${quote(o.description ?? '', lang)}`,
    );
    lines.push(
      `  - ${pick(lang, 'description après', 'description after')}${colon(lang)}${quote(n.description ?? '', lang)}`,
    );
  }
  if (e.pairedBy === 'content' && e.similarity !== undefined) {
    const pct = Math.round(e.similarity * 100);
    lines.push(
      pick(
        lang,
        `  - rapprochés par leur contenu (${pct} % des compétences en commun)`,
        `  - paired by content (${pct}% of competencies in common)`,
      ),
    );
  }
  if (e.pairedBy === 'wording' && e.facts.includes('recoded') && e.similarity !== undefined) {
    const pct = Math.round(e.similarity * 100);
    if (pct < 100)
      lines.push(
        pick(
          lang,
          `  - rapprochés par leur formulation (similarité ${pct} %)`,
          `  - paired by wording (similarity ${pct}%)`,
        ),
      );
  }
  return lines;
}

function markdown(
  diff: ReferentialDiff,
  a: LoadedReferential,
  b: LoadedReferential,
  cwd: string,
  lang: Lang,
): string {
  const file = (l: LoadedReferential) =>
    escapeMarkdown(displayPath(l.abs, cwd).split(path.sep).join('/'));
  const out: string[] = [
    `# ${pick(lang, 'Différences entre référentiels', 'Référentiel differences')}${colon(lang)}${escapeMarkdown(`${a.ref.id} ${a.ref.version}`)} → ${escapeMarkdown(`${b.ref.id} ${b.ref.version}`)}`,
    '',
    `- ${pick(lang, 'Ancien', 'Old')}${colon(lang)}${file(a)} (${escapeMarkdown(a.ref.id)} ${escapeMarkdown(a.ref.version)}, ${a.hash.slice(0, 19)}…)`,
    `- ${pick(lang, 'Nouveau', 'New')}${colon(lang)}${file(b)} (${escapeMarkdown(b.ref.id)} ${escapeMarkdown(b.ref.version)}, ${b.hash.slice(0, 19)}…)`,
    '',
  ];
  if (diff.entries.length === 0) {
    out.push(
      pick(
        lang,
        'Aucune différence : blocs, compétences, critères, modalités et règles sont identiques.',
        'No difference: blocs, competencies, criteria, modalities and rules are identical.',
      ),
      '',
    );
    return out.join('\n');
  }
  const c = countChanges(diff.entries);
  out.push(
    pick(
      lang,
      `${diff.entries.length} différence(s) : ${c.added} ajout(s), ${c.removed} suppression(s), ${c.changed} modification(s).`,
      `${diff.entries.length} difference(s): ${c.added} added, ${c.removed} removed, ${c.changed} changed.`,
    ),
  );
  const titles = new Map(diff.groups.map((g) => [g.id, g.title]));
  const groups = [...new Set(diff.entries.map((e) => e.group))];
  for (const group of groups) {
    const entries = diff.entries.filter((e) => e.group === group);
    const first = entries[0];
    const title =
      group === ''
        ? pick(lang, 'Référentiel', 'Référentiel')
        : first?.kind === 'final' || first?.kind === 'final-item' || !titles.has(group)
          ? `${escapeMarkdown(group)} — ${pick(lang, 'évaluation finale', 'final evaluation')}`
          : `${escapeMarkdown(group)} — ${escapeMarkdown(titles.get(group) ?? '')}`;
    out.push('', `## ${title}`, '');
    // A renumbering recodes many elements without touching their wording: one table row each
    // reads better than one paragraph each.
    const onlyRecoded = (e: DiffEntry) =>
      e.change === 'changed' &&
      e.kind !== 'bloc' &&
      e.facts.length === 1 &&
      e.facts[0] === 'recoded';
    for (const e of entries.filter((x) => !onlyRecoded(x))) out.push(...entryLines(e, lang));
    const recoded = entries.filter(onlyRecoded);
    if (recoded.length > 0) {
      if (recoded.length < entries.length) out.push('');
      out.push(
        pick(
          lang,
          `Nouveaux codes, formulation inchangée (${recoded.length}) :`,
          `New codes, wording unchanged (${recoded.length}):`,
        ),
        '',
        pick(
          lang,
          '| Élément | Ancien code | Nouveau code | Intitulé |',
          '| Element | Old code | New code | Wording |',
        ),
        '|---|---|---|---|',
        ...recoded.map(
          (e) =>
            `| ${pick(lang, ...KIND[e.kind])} | ${escapeMarkdown(e.old?.code ?? '')} | ${escapeMarkdown(e.new?.code ?? '')} | ${escapeMarkdown(e.new?.label ?? '')} |`,
        ),
      );
    }
  }
  out.push('');
  return out.join('\n');
}

/** Options of `certif referential list`. */
export interface ListOptions {
  readonly format: 'text' | 'json';
  readonly lang: Lang;
}

/** Which sessions of the project pin which id@version (read from their session.yaml). */
async function sessionPins(
  root: string,
  cwd: string,
  lang: Lang,
): Promise<{ session: string; id: string; version: string; hash: string }[]> {
  const dir = path.join(root, 'sessions');
  let names: string[] = [];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    return [];
  }
  const out: { session: string; id: string; version: string; hash: string }[] = [];
  for (const name of names) {
    const file = path.join(dir, name, 'session.yaml');
    if ((await pathKind(file)) !== 'file') continue;
    const loaded = await loadFile<Session>(file, displayPath(file, cwd), 'session', lang);
    const pin = loaded.value?.referential;
    if (pin) out.push({ session: name, id: pin.id, version: pin.version, hash: pin.hash });
  }
  return out;
}

/**
 * `certif referential list`: every référentiel version the project can use (its own, then the
 * bundled ones), the newest of each id marked, and the sessions pinned to each.
 */
export async function referentialListCommand(options: ListOptions, io: Io): Promise<number> {
  const { lang } = options;
  const root = await findProjectRoot(io.cwd);
  const scan = await scanReferentials(root, io.cwd, lang);
  const all = scan.usable;
  const pins = await sessionPins(root, io.cwd, lang);
  const rel = (abs: string) => displayPath(abs, io.cwd).split(path.sep).join('/');
  // Files no session can use yet, and versions two files claim: shown, not silently left out.
  const invalid = scan.invalid
    .map((e) => ({ file: rel(e.abs), id: e.id ?? null, version: e.version ?? null }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const duplicates = [...scan.duplicates]
    .map(([key, files]) => {
      const at = key.lastIndexOf('@');
      return { id: key.slice(0, at), version: key.slice(at + 1), files: files.map(rel).sort() };
    })
    .sort((a, b) => (a.files[0] ?? '').localeCompare(b.files[0] ?? ''));
  const ids = [...new Set(all.map((r) => r.ref.id))].sort();
  const rows = ids.flatMap((id) => {
    const versions = all
      .filter((r) => r.ref.id === id)
      .sort((x, y) => compareVersions(x.ref.version, y.ref.version));
    return versions.map((r, i) => ({
      id,
      version: r.ref.version,
      title: r.ref.title,
      file: displayPath(r.abs, io.cwd).split(path.sep).join('/'),
      bundled: r.bundled,
      hash: r.hash,
      newest: i === versions.length - 1,
      sessions: pins
        .filter((p) => p.id === id && p.version === r.ref.version)
        .map((p) => p.session),
    }));
  });
  // A session whose pin matches nothing: `validate` explains why; here it is at least visible.
  const orphans = pins.filter(
    (p) => !all.some((r) => r.ref.id === p.id && r.ref.version === p.version),
  );
  if (options.format === 'json') {
    io.stdout.write(
      JSON.stringify(
        {
          referentials: rows,
          missing: orphans.map((p) => ({ session: p.session, id: p.id, version: p.version })),
          invalid,
          duplicates,
        },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  const out: string[] = [];
  const width = Math.max(...rows.map((r) => r.file.length));
  for (const id of ids) {
    out.push(id);
    for (const r of rows.filter((x) => x.id === id)) {
      const tags = [
        ...(r.newest ? [pick(lang, 'la plus récente', 'newest')] : []),
        ...(r.bundled ? [pick(lang, 'fournie avec certif', 'bundled with certif')] : []),
      ];
      out.push(
        `  ${r.version.padEnd(8)} ${r.file.padEnd(width)}  ${r.hash.slice(0, 19)}…${tags.length ? `  (${tags.join(', ')})` : ''}`,
      );
      out.push(
        `  ${' '.repeat(8)} ${pick(lang, 'sessions', 'sessions')}${colon(lang)}${r.sessions.join(', ') || '—'}`,
      );
    }
  }
  for (const p of orphans) {
    out.push(
      pick(
        lang,
        `! ${p.session} : référentiel ${p.id} ${p.version} introuvable (certif validate dit pourquoi)`,
        `! ${p.session}: référentiel ${p.id} ${p.version} not found (certif validate says why)`,
      ),
    );
  }
  for (const d of duplicates) {
    out.push(
      pick(
        lang,
        `! ${d.id} ${d.version} : deux fichiers pour une version (${d.files.join(', ')}) ; les sessions qui y sont attachées sont refusées`,
        `! ${d.id} ${d.version}: two files for one version (${d.files.join(', ')}); the sessions pinned to it are refused`,
      ),
    );
  }
  for (const f of invalid) {
    const name = f.id ? `${f.id}${f.version ? ` ${f.version}` : ''}` : '?';
    out.push(
      pick(
        lang,
        `! ${f.file} : ${name} pas encore valide, inutilisable (certif validate ${f.file} dit pourquoi)`,
        `! ${f.file}: ${name} not valid yet, unusable (certif validate ${f.file} says why)`,
      ),
    );
  }
  if (ids.length === 0) {
    throw new UsageError(
      pick(lang, 'Aucun référentiel ici.', 'No référentiel here.'),
      pick(
        lang,
        'Ajoutez un fichier dans referentials/ ou lancez certif init.',
        'Add a file to referentials/ or run certif init.',
      ),
    );
  }
  io.stdout.write(out.join('\n') + '\n');
  return 0;
}
