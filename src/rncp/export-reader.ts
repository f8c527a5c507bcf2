import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SaxesParser } from 'saxes';
import { InputError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';

/** A bloc de compétences as the RNCP export gives it (text as is, entities decoded). */
export interface RncpBloc {
  /** `CODE`, e.g. RNCP37488BC01; empty when the export has none. */
  readonly code: string;
  /** `LIBELLE`. */
  readonly title: string;
  /** `LISTE_COMPETENCES`: every competency in one text. */
  readonly competencies: string;
  /** `MODALITES_EVALUATION`. */
  readonly modalities: string;
}

/** A jury line of the fiche (`SI_JURY_FI`, `SI_JURY_VAE`…). */
export interface RncpJury {
  /** The element name without `SI_JURY_`: FI, CA, FC, CQ, CL, VAE. */
  readonly path: string;
  readonly active: boolean;
  readonly composition: string;
}

/** The parts of one `FICHE` that certif uses. */
export interface RncpFiche {
  /** `NUMERO_FICHE`, e.g. RNCP37488. */
  readonly number: string;
  readonly title: string;
  /** `ETAT_FICHE`, e.g. « Publiée ». */
  readonly state: string;
  /** `ACTIF` is « Oui ». */
  readonly active: boolean;
  /** `NOMENCLATURE_EUROPE/NIVEAU`, e.g. NIV7; empty when absent. */
  readonly levelCode: string;
  readonly levelLabel: string;
  /** `ABREGE/LIBELLE`, e.g. « Brevet de technicien supérieur ». */
  readonly kind: string;
  readonly endOfRegistration: string;
  /** `NOUVELLES_CERTIFICATIONS`: the fiches that replace this one. */
  readonly replacedBy: readonly string[];
  readonly blocs: readonly RncpBloc[];
  readonly juries: readonly RncpJury[];
  /** 1-based line of the `FICHE` start tag in the export. */
  readonly line: number;
}

/** Bytes read so far and the file's size. */
export interface Progress {
  readonly bytes: number;
  readonly total: number;
}

/** What to do with each fiche: return `true` to stop reading the export there. */
export type FicheVisitor = (fiche: RncpFiche) => boolean | undefined;

/** How a scan ended. */
export interface ScanResult {
  /** Fiches read (the one that stopped the scan included). */
  readonly fiches: number;
  /** True when a visitor stopped the scan before the end of the file. */
  readonly stopped: boolean;
  /** `VERSION_FLUX`, when seen before the scan ended. */
  readonly flux: string;
}

interface MutableBloc {
  code: string;
  title: string;
  competencies: string;
  modalities: string;
}

interface Draft {
  number: string;
  title: string;
  state: string;
  active: string;
  levelCode: string;
  levelLabel: string;
  kind: string;
  endOfRegistration: string;
  replacedBy: string[];
  blocs: MutableBloc[];
  juries: { path: string; active: string; composition: string }[];
  line: number;
}

/** Text fields captured, by their path below `FICHE`. */
const FICHE_FIELDS: Readonly<
  Record<
    string,
    keyof Pick<
      Draft,
      | 'number'
      | 'title'
      | 'state'
      | 'active'
      | 'levelCode'
      | 'levelLabel'
      | 'kind'
      | 'endOfRegistration'
    >
  >
> = {
  NUMERO_FICHE: 'number',
  INTITULE: 'title',
  ETAT_FICHE: 'state',
  ACTIF: 'active',
  'NOMENCLATURE_EUROPE/NIVEAU': 'levelCode',
  'NOMENCLATURE_EUROPE/LIBELLE': 'levelLabel',
  'ABREGE/LIBELLE': 'kind',
  DATE_FIN_ENREGISTREMENT: 'endOfRegistration',
};

const BLOC_FIELDS: Readonly<Record<string, keyof MutableBloc>> = {
  CODE: 'code',
  LIBELLE: 'title',
  LISTE_COMPETENCES: 'competencies',
  MODALITES_EVALUATION: 'modalities',
};

/** One text field is never this long in a real export; beyond it the fiche is cut, not memory. */
const MAX_FIELD_CHARS = 200_000;

function emptyDraft(line: number): Draft {
  return {
    number: '',
    title: '',
    state: '',
    active: '',
    levelCode: '',
    levelLabel: '',
    kind: '',
    endOfRegistration: '',
    replacedBy: [],
    blocs: [],
    juries: [],
    line,
  };
}

function freeze(d: Draft): RncpFiche {
  const t = (s: string) => s.trim();
  return {
    number: t(d.number).toUpperCase(),
    title: t(d.title),
    state: t(d.state),
    active: /^oui$/i.test(t(d.active)),
    levelCode: t(d.levelCode),
    levelLabel: t(d.levelLabel),
    kind: t(d.kind),
    endOfRegistration: t(d.endOfRegistration),
    replacedBy: d.replacedBy.map(t).filter(Boolean),
    blocs: d.blocs.map((b) => ({
      code: t(b.code).toUpperCase(),
      title: t(b.title),
      competencies: b.competencies,
      modalities: b.modalities,
    })),
    juries: d.juries.map((j) => ({
      path: j.path,
      active: /^oui$/i.test(t(j.active)),
      composition: j.composition,
    })),
    line: d.line,
  };
}

/**
 * Read a France Compétences export (flux 4.1) as a stream and hand each `FICHE` to `visit`, in
 * file order. Memory stays flat whatever the file's size: only the fields certif uses are kept,
 * for one fiche at a time. Stops reading as soon as `visit` returns true.
 *
 * @throws InputError when the file cannot be read or is not well-formed XML (with line and column).
 */
export async function scanExport(
  abs: string,
  display: string,
  visit: FicheVisitor,
  options: { lang: Lang; onProgress?: (p: Progress) => void },
): Promise<ScanResult> {
  const { lang } = options;
  let total: number;
  try {
    const info = await stat(abs);
    if (info.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    total = info.size;
  } catch (error) {
    throw unreadable(display, error, lang);
  }

  const parser = new SaxesParser({ position: true });
  const stack: string[] = [];
  let fiche: Draft | undefined;
  let ficheDepth = -1;
  let bloc: MutableBloc | undefined;
  let jury: { path: string; active: string; composition: string } | undefined;
  // The field text is appended to: a setter chosen when its element opens.
  let sink: ((text: string) => void) | undefined;
  let sinkDepth = -1;
  let fiches = 0;
  let stopped = false;
  let flux = '';
  let fluxOpen = false;

  const append = (current: string, text: string) =>
    current.length >= MAX_FIELD_CHARS ? current : current + text;

  parser.on('opentag', (tag) => {
    const name = tag.name;
    stack.push(name);
    const depth = stack.length;
    if (depth === 2 && name === 'VERSION_FLUX') fluxOpen = true;
    if (depth === 2 && name === 'FICHE') {
      fiche = emptyDraft(parser.line);
      ficheDepth = depth;
      return;
    }
    if (!fiche || sink) return;
    // Path below FICHE, e.g. BLOCS_COMPETENCES/BLOC_COMPETENCES/CODE.
    const rel = stack.slice(ficheDepth).join('/');
    const field = FICHE_FIELDS[rel];
    if (field) {
      const f = fiche;
      sink = (text) => (f[field] = append(f[field], text));
    } else if (rel === 'BLOCS_COMPETENCES/BLOC_COMPETENCES') {
      bloc = { code: '', title: '', competencies: '', modalities: '' };
      fiche.blocs.push(bloc);
    } else if (bloc && rel.startsWith('BLOCS_COMPETENCES/BLOC_COMPETENCES/')) {
      const key = BLOC_FIELDS[rel.slice('BLOCS_COMPETENCES/BLOC_COMPETENCES/'.length)];
      if (key) {
        const b = bloc;
        sink = (text) => (b[key] = append(b[key], text));
      }
    } else if (/^SI_JURY_[A-Z]+$/.test(rel)) {
      jury = { path: rel.slice('SI_JURY_'.length), active: '', composition: '' };
      fiche.juries.push(jury);
    } else if (jury && rel.startsWith('SI_JURY_') && (name === 'ACTIF' || name === 'COMPOSITION')) {
      const j = jury;
      const key = name === 'ACTIF' ? 'active' : 'composition';
      sink = (text) => (j[key] = append(j[key], text));
    } else if (
      rel === 'NOUVELLES_CERTIFICATIONS/NOUVELLE_CERTIFICATION/ID_FICHE_NOUVELLE_CERTIFICATION'
    ) {
      const list = fiche.replacedBy;
      list.push('');
      sink = (text) => (list[list.length - 1] = append(list[list.length - 1] ?? '', text));
    }
    if (sink) sinkDepth = depth;
  });
  const onText = (text: string) => {
    if (sink) sink(text);
    else if (fluxOpen) flux += text;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const depth = stack.length;
    const name = stack.pop();
    if (depth === sinkDepth) {
      sink = undefined;
      sinkDepth = -1;
    }
    if (name === 'VERSION_FLUX') fluxOpen = false;
    if (fiche && depth === ficheDepth + 2 && name === 'BLOC_COMPETENCES') bloc = undefined;
    if (fiche && depth === ficheDepth + 1 && name?.startsWith('SI_JURY_')) jury = undefined;
    if (fiche && depth === ficheDepth) {
      const done = freeze(fiche);
      fiche = undefined;
      if (stopped) return;
      fiches += 1;
      if (visit(done)) stopped = true;
    }
  });
  let xmlError: Error | undefined;
  let refused: InputError | undefined;
  parser.on('error', (error) => {
    xmlError ??= error;
  });
  // The export never has a DOCTYPE. One can declare entities (billion laughs) or point at other
  // files (XXE): saxes expands neither, but the file is refused outright rather than half read.
  parser.on('doctype', (doctype) => {
    const newlines = (doctype.match(/\r\n|\r|\n/g) ?? []).length;
    refused ??= doctypeRefused(display, Math.max(1, parser.line - newlines), lang);
  });
  parser.on('xmldecl', (decl) => {
    if (decl.encoding && !/^utf-?8$/i.test(decl.encoding))
      refused ??= notUtf8(display, { line: parser.line, column: 1 }, lang, decl.encoding);
  });

  if (total === 0) throw emptyFile(display, lang);
  // Bytes decoded here, not by the stream: invalid UTF-8 is refused instead of becoming U+FFFD.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const stream = createReadStream(abs, { highWaterMark: 64 * 1024 });
  // saxes counts lines and columns (0-based) of everything written to it so far.
  // A DOCTYPE is refused as soon as it starts, before saxes buffers it whole (it may be huge).
  // It can only come before the root element; `prolog` is what was seen of it so far.
  let prolog: string | undefined = '';
  let prologLines = 0;
  const newlines = (t: string) => (t.match(/\r\n|\r|\n/g) ?? []).length;
  const feed = (text: string) => {
    if (prolog !== undefined) {
      const seen = prolog + text;
      const at = seen.search(/<!DOCTYPE/i);
      if (at >= 0) {
        refused ??= doctypeRefused(display, prologLines + newlines(seen.slice(0, at)) + 1, lang);
        return;
      }
      // A root element started (`<` then a name): no DOCTYPE can follow.
      if (/<[A-Za-z_:]/.test(seen.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''))) {
        prolog = undefined;
      } else {
        // Only a tail is kept (a keyword cut between two chunks), so a long prolog costs nothing.
        const keep = seen.slice(-64);
        prologLines += newlines(seen.slice(0, seen.length - keep.length));
        prolog = keep;
      }
    }
    parser.write(text);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        // Not yet parsed, the declaration may say which encoding it is: the clearer message.
        const declared = /^(?:\uFEFF)?\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']/.exec(
          chunk.toString('latin1', 0, 200),
        )?.[1];
        const first = parser.line === 1 && parser.column === 0;
        throw first && declared && !/^utf-?8$/i.test(declared)
          ? notUtf8(display, { line: 1, column: 1 }, lang, declared)
          : notUtf8(display, badByteAt(chunk, parser.line, parser.column), lang);
      }
      feed(text);
      if (refused) throw refused;
      if (xmlError) throw malformed(display, xmlError, lang);
      if (stopped) break;
      options.onProgress?.({ bytes: stream.bytesRead, total });
    }
    if (!stopped) {
      try {
        feed(decoder.decode());
      } catch {
        throw notUtf8(display, { line: parser.line, column: parser.column + 1 }, lang);
      }
      if (refused) throw refused;
      parser.close();
      if (xmlError) throw malformed(display, xmlError, lang);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw unreadable(display, error, lang);
  } finally {
    stream.destroy();
  }
  return { fiches, stopped, flux: flux.trim() };
}

/**
 * Where the first invalid UTF-8 sequence of a chunk is (1-based line and column, in characters),
 * given the line and 0-based column reached before it: the valid prefix is decoded to count them.
 */
function badByteAt(chunk: Buffer, line: number, column: number): { line: number; column: number } {
  const text = chunk.toString('utf8');
  const cut = text.indexOf('\uFFFD');
  const before = (cut >= 0 ? text.slice(0, cut) : text).split(/\r\n|\r|\n/);
  return before.length > 1
    ? { line: line + before.length - 1, column: (before.at(-1)?.length ?? 0) + 1 }
    : { line, column: column + (before[0]?.length ?? 0) + 1 };
}

function notUtf8(
  display: string,
  at: { line: number; column: number },
  lang: Lang,
  declared?: string,
): InputError {
  return new InputError(
    declared
      ? pick(
          lang,
          `${display}:${at.line}:${at.column} : export encodé en ${declared}, pas en UTF-8.`,
          `${display}:${at.line}:${at.column}: export encoded in ${declared}, not UTF-8.`,
        )
      : pick(
          lang,
          `${display}:${at.line}:${at.column} : octets invalides en UTF-8 (fichier dans un autre encodage, ou abîmé).`,
          `${display}:${at.line}:${at.column}: bytes that are not valid UTF-8 (another encoding, or a damaged file).`,
        ),
    pick(
      lang,
      `L’export de France Compétences est en UTF-8 : téléchargez-le à nouveau sur data.gouv.fr, ou convertissez ce fichier (iconv -f ${declared ?? 'WINDOWS-1252'} -t UTF-8).`,
      `The France Compétences export is UTF-8: download it again from data.gouv.fr, or convert this file (iconv -f ${declared ?? 'WINDOWS-1252'} -t UTF-8).`,
    ),
  );
}

function doctypeRefused(display: string, line: number, lang: Lang): InputError {
  return new InputError(
    pick(
      lang,
      `${display}:${line}:1 : déclaration DOCTYPE refusée : certif n’interprète ni entités déclarées ni fichiers externes, et l’export de France Compétences n’en contient pas.`,
      `${display}:${line}:1: DOCTYPE declaration refused: certif expands no declared entity and reads no external file, and the France Compétences export has none.`,
    ),
    pick(
      lang,
      'Utilisez l’export tel que publié sur data.gouv.fr (flux XML 4.1), sans le retoucher.',
      'Use the export as published on data.gouv.fr (XML flux 4.1), unedited.',
    ),
  );
}

function emptyFile(display: string, lang: Lang): InputError {
  return new InputError(
    pick(lang, `${display}:1:1 : fichier vide (0 octet).`, `${display}:1:1: empty file (0 bytes).`),
    pick(
      lang,
      'Le téléchargement s’est sans doute interrompu : téléchargez à nouveau l’export (flux XML 4.1) sur data.gouv.fr.',
      'The download was probably cut short: download the export (XML flux 4.1) again from data.gouv.fr.',
    ),
  );
}

function unreadable(display: string, error: unknown, lang: Lang): InputError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new InputError(
    pick(lang, `${display} : lecture impossible (${code}).`, `${display}: cannot read (${code}).`),
    pick(
      lang,
      'Vérifiez le chemin de l’export XML de France Compétences.',
      'Check the path of the France Compétences XML export.',
    ),
  );
}

function malformed(display: string, error: Error, lang: Lang): InputError {
  // saxes prefixes its messages with "line:column: " (column 0-based): shown 1-based here.
  const m = /^(\d+):(\d+): (.*)$/s.exec(error.message);
  const where = m ? `${m[1]}:${Number(m[2]) + 1}` : '';
  const detail = m ? (m[3] ?? '') : error.message;
  return new InputError(
    pick(
      lang,
      `${display}${where ? `:${where}` : ''} : XML mal formé : ${detail}`,
      `${display}${where ? `:${where}` : ''}: malformed XML: ${detail}`,
    ),
    pick(
      lang,
      'Téléchargez à nouveau l’export (flux XML 4.1) sur data.gouv.fr : le fichier est peut-être tronqué ou modifié.',
      'Download the export (XML flux 4.1) again from data.gouv.fr: the file may be truncated or edited.',
    ),
  );
}
