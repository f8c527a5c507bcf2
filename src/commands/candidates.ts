import path from 'node:path';
import type { YAMLSeq } from 'yaml';
import type { Io } from '../cli/io.js';
import { InvalidFilesError, UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { canonicalJson } from '../model/hash.js';
import { fullName, type Candidate } from '../model/session.js';
import { parseCandidatesCsv } from '../project/candidates-csv.js';
import { displayPath, pathKind } from '../project/files.js';
import { readTextFile } from '../project/load.js';
import { availableReferentials } from '../project/referentials.js';
import { findSessionDir, openSession } from '../project/session.js';
import { editSessionFile } from '../project/session-store.js';
import { yamlLib } from '../source/yaml-lib.js';

/** `certif candidates import <file.csv>`: add candidates; all rows or none. */
export async function importCandidates(
  csvPath: string,
  options: { session?: string | undefined; lang: Lang },
  io: Io,
): Promise<number> {
  const { lang } = options;
  const dir = await findSessionDir(options.session, io.cwd, lang);
  const ctx = await openSession(dir, io.cwd, lang);
  const abs = path.resolve(io.cwd, csvPath);
  if ((await pathKind(abs)) === 'missing') {
    throw new UsageError(
      pick(lang, `Fichier introuvable : ${csvPath}`, `No such file: ${csvPath}`),
    );
  }
  const display = displayPath(abs, io.cwd);
  const text = await readTextFile(abs, display, lang);
  const parsed = parseCandidatesCsv(
    text,
    display,
    ctx.units.map((u) => u.id),
    lang,
  );
  const existing = new Map(ctx.session.candidates.map((c) => [c.id, c]));
  const fresh: Candidate[] = [];
  let unchanged = 0;
  const conflicts = [...parsed.diagnostics];
  parsed.candidates.forEach((c, i) => {
    const old = existing.get(c.id);
    if (!old) {
      fresh.push(c);
      return;
    }
    const same =
      old.family_name === c.family_name &&
      old.given_name === c.given_name &&
      canonicalJson([...old.blocs].sort()) === canonicalJson([...c.blocs].sort()) &&
      canonicalJson(old.accommodations ?? []) === canonicalJson(c.accommodations ?? []);
    if (same) unchanged += 1;
    else conflicts.push(conflictDiagnostic(lang, display, parsed.lines[i] ?? 1, c.id));
  });
  if (conflicts.length > 0) {
    throw new InvalidFilesError(
      pick(
        lang,
        `import refusé, rien n’a été écrit : ${display}`,
        `import refused, nothing was written: ${display}`,
      ),
      conflicts,
    );
  }
  if (fresh.length > 0) {
    const available = await availableReferentials(ctx.root, io.cwd, lang);
    await editSessionFile(
      ctx.file,
      { cwd: io.cwd, lang, now: io.now(), who: 'certif candidates import', available },
      (doc) => {
        const seq = doc.get('candidates', true);
        if (yamlLib().isSeq(seq)) seq.flow = false;
        for (const c of fresh) doc.addIn(['candidates'], doc.createNode(c, { flow: false }));
        for (const item of (doc.get('candidates', true) as YAMLSeq).items) {
          const node = item as { flow?: boolean; get?: (k: string, keep: boolean) => unknown };
          for (const key of ['blocs', 'accommodations']) {
            const inner = node.get?.(key, true) as { flow?: boolean } | undefined;
            if (inner && typeof inner === 'object') inner.flow = true;
          }
        }
      },
    );
  }
  io.stderr.write(
    pick(
      lang,
      `✔ ${fresh.length} candidat(s) ajouté(s), ${unchanged} déjà présent(s) — ${displayPath(ctx.file, io.cwd)}\n`,
      `✔ ${fresh.length} candidate(s) added, ${unchanged} already there — ${displayPath(ctx.file, io.cwd)}\n`,
    ),
  );
  return 0;
}

function conflictDiagnostic(lang: Lang, file: string, line: number, id: string) {
  return {
    ruleId: 'csv/conflicting-candidate',
    severity: 'error' as const,
    message: pick(
      lang,
      `Le candidat « ${id} » existe déjà dans la session avec d’autres données.`,
      `Candidate "${id}" already exists in the session with other data.`,
    ),
    hint: pick(
      lang,
      'Corrigez la ligne, ou modifiez le candidat directement dans session.yaml.',
      'Fix the row, or edit the candidate directly in session.yaml.',
    ),
    file,
    line,
    column: 1,
  };
}

/** `certif candidates list`: one line per candidate. */
export async function listCandidates(
  options: { session?: string | undefined; lang: Lang; format: 'text' | 'json' },
  io: Io,
): Promise<number> {
  const { lang } = options;
  const dir = await findSessionDir(options.session, io.cwd, lang);
  const ctx = await openSession(dir, io.cwd, lang);
  const list = ctx.session.candidates;
  if (options.format === 'json') {
    io.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return 0;
  }
  const width = Math.max(2, ...list.map((c) => c.id.length));
  const nameWidth = Math.max(3, ...list.map((c) => fullName(c).length));
  for (const c of list) {
    const acquired = (c.acquired ?? []).map((a) => a.bloc);
    const extra = [
      acquired.length > 0
        ? pick(
            lang,
            `acquis avant : ${acquired.join(' ')}`,
            `acquired before: ${acquired.join(' ')}`,
          )
        : '',
      (c.accommodations ?? []).length > 0 ? pick(lang, 'aménagements', 'accommodations') : '',
    ].filter(Boolean);
    io.stdout.write(
      `${c.id.padEnd(width)}  ${fullName(c).padEnd(nameWidth)}  ${c.blocs.join(' ')}${extra.length ? `  (${extra.join(' · ')})` : ''}\n`,
    );
  }
  io.stderr.write(
    pick(
      lang,
      `${list.length} candidat(s) — session ${ctx.session.id}\n`,
      `${list.length} candidate(s) — session ${ctx.session.id}\n`,
    ),
  );
  return 0;
}
