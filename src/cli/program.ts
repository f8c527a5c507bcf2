import { forgetReadFolders } from '../project/confine.js';
import { Command, CommanderError, Help, Option } from 'commander';
import type { Io } from './io.js';
import { EXIT, InputError, UsageError } from './errors.js';
import { detectLang, pick } from './lang.js';
import { version } from './version.js';
import { InvalidFilesError } from './errors.js';
import { stylish } from '../report/reporters.js';
import { sortDiagnostics } from '../diagnostics/diagnostic.js';

/** Build the command tree and run argv; map every failure to an exit code. */
export async function execute(argv: readonly string[], io: Io): Promise<number> {
  const lang = detectLang(argv, io.env);
  const h = (fr: string, en: string) => pick(lang, fr, en);
  // A folder seen not to be a link by an earlier command of this process may be one now.
  forgetReadFolders();
  let code: number = EXIT.ok;
  const program = new Command('certif');
  program
    .description(
      h(
        'Référentiels RNCP en fichiers : valider, noter les épreuves, imprimer les grilles et le procès-verbal.',
        'RNCP référentiels as files: validate, grade the épreuves, print the grids and the procès-verbal.',
      ),
    )
    .version(version(), '-V, --version', h('affiche la version', 'print the version'))
    .helpOption('-h, --help', h('affiche l’aide', 'show help'))
    .usage(h('[options] <commande>', '[options] <command>'))
    .configureHelp(helpIn(lang))
    .addOption(
      new Option('--lang <lang>', h('langue des messages', 'language of messages')).choices([
        'fr',
        'en',
      ]),
    )
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => {
        write(translateCommanderError(s, lang));
      },
    });

  program
    .command('validate')
    .description(
      h(
        'vérifie référentiels et fichiers de session (pour la CI et les éditeurs)',
        'check référentiels and session files (for CI and editors)',
      ),
    )
    .argument(
      h('[chemins...]', '[paths...]'),
      h(
        'fichiers ou dossiers (défaut : referentials/ et sessions/)',
        'files or folders (default: referentials/ and sessions/)',
      ),
    )
    .addOption(
      new Option('-f, --format <format>', h('format du rapport', 'report format'))
        .choices(['stylish', 'json', 'github'])
        .default('stylish'),
    )
    .option('--strict', h('les avertissements font échouer', 'warnings fail too'), false)
    .action(
      async (paths: string[], opts: { format: 'stylish' | 'json' | 'github'; strict: boolean }) => {
        const { validateCommand } = await import('../commands/validate.js');
        code = await validateCommand(paths, { format: opts.format, strict: opts.strict, lang }, io);
      },
    );

  program
    .command('show')
    .description(
      h('affiche le référentiel en arbre lisible', 'print the référentiel as a readable tree'),
    )
    .argument('[bloc]', h('un bloc (ex. BC01)', 'one bloc (e.g. BC01)'))
    .option(
      '-r, --referential <id|path>',
      h('référentiel (id ou chemin)', 'référentiel (id or path)'),
    )
    .action(async (bloc: string | undefined, opts: { referential?: string }) => {
      const { showCommand } = await import('../commands/show.js');
      code = await showCommand(bloc, { referential: opts.referential, lang }, io);
    });

  const collect = (value: string, previous: string[]) => [...previous, value];
  const sessionOption = () =>
    new Option(
      '-s, --session <dir>',
      h(
        'dossier de la session (défaut : celle qui contient le dossier courant)',
        'session folder (default: the one containing the current folder)',
      ),
    );

  program
    .command('init')
    .description(
      h(
        'crée une session attachée à un référentiel (id, version, empreinte)',
        'create a session pinned to a référentiel (id, version, hash)',
      ),
    )
    .argument(
      h('<dossier-session>', '<session-dir>'),
      h(
        'dossier de la session, ex. sessions/2026-06-rouen',
        'session folder, e.g. sessions/2026-06-rouen',
      ),
    )
    .option(
      '-r, --referential <id|path>',
      h('référentiel : id (id@version) ou chemin', 'référentiel: id (id@version) or path'),
    )
    .option('--centre <name>', h('nom du centre d’examen', 'name of the exam centre'))
    .option('--city <city>', h('ville', 'city'))
    .option('--date <YYYY-MM-DD>', h('premier jour de la session', 'first day of the session'))
    .action(
      async (
        dir: string,
        opts: { referential?: string; centre?: string; city?: string; date?: string },
      ) => {
        const { initCommand } = await import('../commands/init.js');
        code = await initCommand(dir, { ...opts, lang }, io);
      },
    );

  const candidates = program
    .command('candidates')
    .description(h('candidats de la session', 'candidates of the session'));
  candidates
    .command('import')
    .description(
      h(
        'importe un CSV (identifiant, nom, prénom, blocs, aménagements)',
        'import a CSV (identifiant, nom, prénom, blocs, aménagements)',
      ),
    )
    .argument(h('<fichier.csv>', '<file.csv>'))
    .addOption(sessionOption())
    .action(async (file: string, opts: { session?: string }) => {
      const { importCandidates } = await import('../commands/candidates.js');
      code = await importCandidates(file, { session: opts.session, lang }, io);
    });
  candidates
    .command('list')
    .description(h('liste les candidats', 'list the candidates'))
    .addOption(sessionOption())
    .addOption(
      new Option('-f, --format <format>', h('format', 'format'))
        .choices(['text', 'json'])
        .default('text'),
    )
    .action(async (opts: { session?: string; format: 'text' | 'json' }) => {
      const { listCandidates } = await import('../commands/candidates.js');
      code = await listCandidates({ session: opts.session, lang, format: opts.format }, io);
    });

  program
    .command('grade')
    .description(
      h(
        'saisit Acquis / Non acquis (interactif dans un terminal, ou par options)',
        'record Acquis / Non acquis (interactive in a terminal, or from options)',
      ),
    )
    .argument(h('[candidat]', '[candidate]'), h('identifiant du candidat', 'candidate id'))
    .argument(
      '[bloc]',
      h(
        'bloc (ex. BC01) ou évaluation finale (ex. PP)',
        'bloc (e.g. BC01) or final evaluation (e.g. PP)',
      ),
    )
    .addOption(sessionOption())
    .option(
      '--set <C=verdict>',
      h(
        'résultat : C1=acquis, C2=non_acquis (A / NA acceptés) ; répétable',
        'result: C1=acquis, C2=non_acquis (A / NA accepted); repeatable',
      ),
      collect,
      [],
    )
    .option(
      '--observation <C=text>',
      h('observation : C2="…" ; répétable', 'observation: C2="…"; repeatable'),
      collect,
      [],
    )
    .option(
      '--from <file>',
      h(
        'résultats depuis un CSV (competence;resultat;observation) ou un YAML',
        'results from a CSV (competence;resultat;observation) or a YAML file',
      ),
    )
    .option(
      '--finalize',
      h('finalise l’évaluation (avec --by)', 'finalise the evaluation (with --by)'),
      false,
    )
    .option(
      '--by <jurors>',
      h(
        'les jurés qui confirment, séparés par une virgule',
        'the confirming jurors, comma-separated',
      ),
    )
    .option(
      '--juror <id>',
      h(
        'double correction à l’aveugle : la saisie de ce juré',
        'blind double marking: this juror’s own entry',
      ),
    )
    .option(
      '--submit',
      h('soumet la saisie du juré (définitive)', 'submit the juror’s entry (final)'),
      false,
    )
    .action(
      async (
        candidate: string | undefined,
        bloc: string | undefined,
        opts: {
          session?: string;
          set: string[];
          observation: string[];
          from?: string;
          finalize: boolean;
          by?: string;
          juror?: string;
          submit: boolean;
        },
      ) => {
        const { gradeCommand } = await import('../commands/grade.js');
        code = await gradeCommand(candidate, bloc, { ...opts, lang }, io);
      },
    );

  program
    .command('amend')
    .description(
      h(
        'corrige une évaluation finalisée par avenant (valeur précédente, qui, quand, pourquoi)',
        'correct a final evaluation by amendment (previous value, who, when, why)',
      ),
    )
    .argument(h('<candidat>', '<candidate>'))
    .argument('<bloc>')
    .addOption(sessionOption())
    .option(
      '--set <C=verdict>',
      h('nouveau résultat ; répétable', 'new result; repeatable'),
      collect,
      [],
    )
    .option(
      '--observation <C=text>',
      h('nouvelle observation ; répétable', 'new observation; repeatable'),
      collect,
      [],
    )
    .option(
      '--reason <text>',
      h('motif de l’avenant (obligatoire)', 'reason for the amendment (required)'),
    )
    .option('--by <juror>', h('juré auteur de l’avenant', 'juror making the amendment'))
    .action(
      async (
        candidate: string,
        bloc: string,
        opts: {
          session?: string;
          set: string[];
          observation: string[];
          reason?: string;
          by?: string;
        },
      ) => {
        const { amendCommand } = await import('../commands/amend.js');
        code = await amendCommand(candidate, bloc, { ...opts, lang }, io);
      },
    );

  program
    .command('status')
    .description(
      h('où en est chaque candidat, bloc par bloc', 'where each candidate stands, bloc by bloc'),
    )
    .argument('[session]', h('dossier de la session', 'session folder'))
    .addOption(sessionOption())
    .addOption(
      new Option('-f, --format <format>', h('format', 'format'))
        .choices(['text', 'json'])
        .default('text'),
    )
    .action(
      async (session: string | undefined, opts: { session?: string; format: 'text' | 'json' }) => {
        const { statusCommand } = await import('../commands/status.js');
        code = await statusCommand(
          session,
          { session: opts.session, format: opts.format, lang },
          io,
        );
      },
    );

  program
    .command('deliberate')
    .description(
      h(
        'délibération du jury de certification : propositions, décisions, clôture',
        'certification jury deliberation: proposals, decisions, closing',
      ),
    )
    .addOption(sessionOption())
    .option(
      '--candidate <id>',
      h('candidat dont on enregistre la décision', 'candidate whose decision is recorded'),
    )
    .option(
      '--bloc <id>',
      h('bloc (ou évaluation finale) décidé', 'bloc (or final evaluation) decided'),
    )
    .option(
      '--decision <decision>',
      h('valide, non_valide ou absent', 'valide, non_valide or absent'),
    )
    .option(
      '--reason <text>',
      h(
        'motif (obligatoire si la décision diffère de la proposition)',
        'reason (required when the decision differs from the proposal)',
      ),
    )
    .option(
      '--accept',
      h(
        'retient les propositions de certif pour tout ce qui n’est pas encore décidé',
        'keep certif’s proposals for everything not yet decided',
      ),
      false,
    )
    .option(
      '--close',
      h(
        'clôt la délibération (avec --members, --place, --date)',
        'close the deliberation (with --members, --place, --date)',
      ),
      false,
    )
    .option(
      '--members <names>',
      h(
        'membres du jury de certification, séparés par des virgules',
        'members of the certification jury, comma-separated',
      ),
    )
    .option('--place <place>', h('lieu de la délibération', 'place of the deliberation'))
    .option('--date <YYYY-MM-DD>', h('date de la délibération', 'date of the deliberation'))
    .addOption(
      new Option('-f, --format <format>', h('format', 'format'))
        .choices(['text', 'json'])
        .default('text'),
    )
    .action(
      async (opts: {
        session?: string;
        candidate?: string;
        bloc?: string;
        decision?: string;
        reason?: string;
        accept: boolean;
        close: boolean;
        members?: string;
        place?: string;
        date?: string;
        format: 'text' | 'json';
      }) => {
        const { deliberateCommand } = await import('../commands/deliberate.js');
        code = await deliberateCommand({ ...opts, lang }, io);
      },
    );

  const render = program
    .command('render')
    .description(
      h(
        'imprime grilles, fiches de résultats, procès-verbal et attestations (md, html, pdf)',
        'print grids, result sheets, the procès-verbal and attestations (md, html, pdf)',
      ),
    );
  const renderOptions = (cmd: Command) =>
    cmd
      .addOption(sessionOption())
      .addOption(
        new Option('-f, --format <format>', h('format', 'format'))
          .choices(['md', 'html', 'pdf'])
          .default('md'),
      )
      .option(
        '-o, --out <dir>',
        h(
          'un fichier par document dans ce dossier (sinon sur la sortie standard)',
          'one file per document in this folder (stdout otherwise)',
        ),
      )
      .option(
        '--chromium <path>',
        h(
          'Chromium à utiliser pour le PDF (ou CERTIF_CHROMIUM)',
          'Chromium to use for PDF (or CERTIF_CHROMIUM)',
        ),
      );
  type RenderOpts = {
    session?: string;
    format: 'md' | 'html' | 'pdf';
    out?: string;
    chromium?: string;
    candidate?: string;
    all?: boolean;
    referential?: string;
  };
  const ro = (opts: RenderOpts) => ({ ...opts, all: opts.all ?? false, lang });
  renderOptions(
    render
      .command('grid')
      .description(
        h(
          'grille d’évaluation d’un bloc : vierge, pour un candidat, ou pour tous',
          'evaluation grid of a bloc: blank, for a candidate, or for all',
        ),
      )
      .argument('<bloc>')
      .option(
        '--candidate <id>',
        h('pré-remplie pour ce candidat', 'pre-filled for this candidate'),
      )
      .option(
        '--all',
        h('une grille par candidat de la session', 'one grid per candidate of the session'),
      )
      .option(
        '-r, --referential <id|path>',
        h('référentiel (grille vierge hors session)', 'référentiel (blank grid outside a session)'),
      ),
  ).action(async (bloc: string, opts: RenderOpts) => {
    const { renderGrid } = await import('../commands/render.js');
    code = await renderGrid(bloc, ro(opts), io);
  });
  renderOptions(
    render
      .command('sheet')
      .description(
        h(
          'fiche « résultats à l’épreuve de synthèse » d’un candidat',
          'results sheet of a candidate',
        ),
      )
      .argument(h('[candidat]', '[candidate]'))
      .option('--all', h('une fiche par candidat', 'one sheet per candidate')),
  ).action(async (candidate: string | undefined, opts: RenderOpts) => {
    const { renderSheet } = await import('../commands/render.js');
    code = await renderSheet(candidate, ro(opts), io);
  });
  renderOptions(
    render
      .command('pv')
      .description(
        h('procès-verbal du jury de certification', 'procès-verbal of the certification jury'),
      ),
  ).action(async (opts: RenderOpts) => {
    const { renderPv } = await import('../commands/render.js');
    code = await renderPv(ro(opts), io);
  });
  renderOptions(
    render
      .command('attestation')
      .description(
        h(
          'attestation des blocs validés (sans les aménagements)',
          'attestation of the blocs validated (without accommodations)',
        ),
      )
      .argument(h('[candidat]', '[candidate]'))
      .option('--all', h('une attestation par candidat', 'one attestation per candidate')),
  ).action(async (candidate: string | undefined, opts: RenderOpts) => {
    const { renderAttestation } = await import('../commands/render.js');
    code = await renderAttestation(candidate, ro(opts), io);
  });

  program
    .command('demo')
    .description(
      h(
        'crée un projet de démonstration complet et imprime tous ses documents',
        'create a complete demo project and print all its documents',
      ),
    )
    .argument(
      h('[dossier]', '[dir]'),
      h('dossier à créer (défaut : certif-demo)', 'folder to create (default: certif-demo)'),
    )
    .action(async (dir: string | undefined) => {
      const { demoCommand } = await import('../commands/demo.js');
      code = await demoCommand(dir, { lang }, io);
    });

  const rncp = program
    .command('rncp')
    .description(
      h(
        'export RNCP de France Compétences : importer une fiche, vérifier l’écart',
        'France Compétences RNCP export: import a fiche, check for drift',
      ),
    );
  rncp
    .command('import')
    .description(
      h(
        'crée un squelette de référentiel depuis une fiche de l’export XML (flux 4.1)',
        'create a référentiel skeleton from one fiche of the XML export (flux 4.1)',
      ),
    )
    .argument('<export.xml>')
    .option(
      '--fiche <RNCPn>',
      h('numéro de la fiche (ex. RNCP37488)', 'fiche number (e.g. RNCP37488)'),
    )
    .option(
      '-o, --out <file>',
      h(
        'fichier à écrire (défaut : referentials/<id>.yaml ; « - » : sortie standard)',
        'file to write (default: referentials/<id>.yaml; "-": standard output)',
      ),
    )
    .option(
      '--id <id>',
      h('id du référentiel (défaut : rncp<n>)', 'référentiel id (default: rncp<n>)'),
    )
    .option('--force', h('remplace un fichier existant', 'replace an existing file'), false)
    .action(
      async (file: string, opts: { fiche?: string; out?: string; id?: string; force: boolean }) => {
        const { rncpImportCommand } = await import('../commands/rncp.js');
        code = await rncpImportCommand(file, { ...opts, lang }, io);
      },
    );
  rncp
    .command('list')
    .description(
      h(
        'liste les fiches de l’export (numéro, blocs, active, intitulé)',
        'list the fiches of the export (number, blocs, active, title)',
      ),
    )
    .argument('<export.xml>')
    .addOption(
      new Option('-f, --format <format>', h('format de sortie', 'output format'))
        .choices(['text', 'json'])
        .default('text'),
    )
    .action(async (file: string, opts: { format: 'text' | 'json' }) => {
      const { rncpListCommand } = await import('../commands/rncp.js');
      code = await rncpListCommand(file, { lang, format: opts.format }, io);
    });
  rncp
    .command('check')
    .description(
      h(
        'compare un référentiel à sa fiche enregistrée (numéro, blocs, intitulés)',
        'compare a référentiel with its registered fiche (number, blocs, titles)',
      ),
    )
    .argument('<export.xml>')
    .argument(
      h('[référentiel]', '[referential]'),
      h('référentiel (id ou chemin)', 'référentiel (id or path)'),
    )
    .addOption(
      new Option('-f, --format <format>', h('format du rapport', 'report format'))
        .choices(['stylish', 'json', 'github'])
        .default('stylish'),
    )
    .option('--strict', h('les avertissements font échouer', 'warnings fail too'), false)
    .action(
      async (
        file: string,
        referential: string | undefined,
        opts: { format: 'stylish' | 'json' | 'github'; strict: boolean },
      ) => {
        const { rncpCheckCommand } = await import('../commands/rncp.js');
        code = await rncpCheckCommand(
          file,
          referential,
          { format: opts.format, strict: opts.strict, lang },
          io,
        );
      },
    );

  const exportCmd = program
    .command('export')
    .description(
      h(
        'exporte vers les autres systèmes : CASE, Open Badges 3.0, tableur',
        'export to other systems: CASE, Open Badges 3.0, spreadsheets',
      ),
    );
  const baseUriOption = () =>
    new Option(
      '--base-uri <url>',
      h(
        'URL du serveur CASE où les éléments seront publiés (défaut : urn:uuid:)',
        'URL of the CASE server the items will be published on (default: urn:uuid:)',
      ),
    );
  exportCmd
    .command('case')
    .description(
      h(
        'le référentiel en paquet CASE 1.0 (CFPackage JSON)',
        'the référentiel as a CASE 1.0 package (CFPackage JSON)',
      ),
    )
    .argument(
      h('[référentiel]', '[referential]'),
      h(
        'référentiel (id, id@version ou chemin ; défaut : celui de la session courante)',
        'référentiel (id, id@version or path; default: that of the current session)',
      ),
    )
    .addOption(sessionOption())
    .option(
      '-o, --out <file>',
      h('fichier à écrire (sinon la sortie standard)', 'file to write (stdout otherwise)'),
    )
    .option(
      '--date <YYYY-MM-DD>',
      h(
        'date de dernière modification (défaut : 1970-01-01, le référentiel n’en porte pas)',
        'last change date (default: 1970-01-01, the référentiel carries none)',
      ),
    )
    .option(
      '--creator <name>',
      h('auteur du référentiel (défaut : certif)', 'author of the référentiel (default: certif)'),
    )
    .addOption(baseUriOption())
    .action(
      async (
        referential: string | undefined,
        opts: {
          session?: string;
          out?: string;
          date?: string;
          creator?: string;
          baseUri?: string;
        },
      ) => {
        const { exportCase } = await import('../commands/export.js');
        code = await exportCase(referential, { ...opts, lang }, io);
      },
    );
  exportCmd
    .command('badges')
    .description(
      h(
        'une attestation Open Badges 3.0 (non signée) par bloc validé par le jury',
        'one Open Badges 3.0 credential (unsigned) per bloc validated by the jury',
      ),
    )
    .argument('[session]', h('dossier de la session', 'session folder'))
    .addOption(sessionOption())
    .option('--candidate <id>', h('un seul candidat', 'one candidate only'))
    .option(
      '-o, --out <dir>',
      h('dossier où écrire un fichier JSON par bloc', 'folder for one JSON file per bloc'),
    )
    .option(
      '--issuer <uri>',
      h(
        'identifiant de l’émetteur (DID ou URL de la clé de signature)',
        'issuer id (DID or URL of the signing key)',
      ),
    )
    .option(
      '--issuer-name <name>',
      h('nom de l’émetteur (défaut : le centre)', 'issuer name (default: the centre)'),
    )
    .addOption(baseUriOption())
    .action(
      async (
        session: string | undefined,
        opts: {
          session?: string;
          candidate?: string;
          out?: string;
          issuer?: string;
          issuerName?: string;
          baseUri?: string;
        },
      ) => {
        const { exportBadges } = await import('../commands/export.js');
        code = await exportBadges(session, { ...opts, lang }, io);
      },
    );
  exportCmd
    .command('csv')
    .description(
      h(
        'résultats pour un tableur (UTF-8 avec BOM, point-virgule)',
        'results for a spreadsheet (UTF-8 with BOM, semicolon)',
      ),
    )
    .argument('[session]', h('dossier de la session', 'session folder'))
    .addOption(sessionOption())
    .addOption(
      new Option(
        '--by <table>',
        h('une ligne par bloc ou par compétence', 'one row per bloc or per competency'),
      )
        .choices(['bloc', 'competence', 'competency'])
        .default('bloc'),
    )
    .option(
      '-o, --out <file>',
      h('fichier à écrire (sinon la sortie standard)', 'file to write (stdout otherwise)'),
    )
    .action(
      async (
        session: string | undefined,
        opts: { session?: string; by: 'bloc' | 'competence' | 'competency'; out?: string },
      ) => {
        const { exportCsv } = await import('../commands/export.js');
        // The French UI says "compétence": both spellings name the same table.
        const by = opts.by === 'bloc' ? 'bloc' : 'competency';
        code = await exportCsv(session, { ...opts, by, lang }, io);
      },
    );

  program
    .command('reconcile')
    .description(
      h(
        'double correction à l’aveugle : rapproche les saisies des deux jurés et enregistre la décision commune',
        'blind double marking: reconcile the two jurors’ entries and record the joint decision',
      ),
    )
    .argument(h('<candidat>', '<candidate>'))
    .argument('<bloc>')
    .addOption(sessionOption())
    .option(
      '--decision <C=verdict>',
      h(
        'décision commune sur une compétence où les saisies diffèrent : C4=acquis ; répétable',
        'joint decision on a competency where the entries differ: C4=acquis; repeatable',
      ),
      collect,
      [],
    )
    .option(
      '--reason <C=text>',
      h('motif de la décision : C4="…" ; répétable', 'reason for the decision: C4="…"; repeatable'),
      collect,
      [],
    )
    .option(
      '--finalize',
      h('finalise l’évaluation commune (avec --by)', 'finalise the joint evaluation (with --by)'),
      false,
    )
    .option(
      '--by <jurors>',
      h(
        'les jurés qui confirment, séparés par une virgule',
        'the confirming jurors, comma-separated',
      ),
    )
    .action(
      async (
        candidate: string,
        bloc: string,
        opts: {
          session?: string;
          decision: string[];
          reason: string[];
          finalize: boolean;
          by?: string;
        },
      ) => {
        const { reconcileCommand } = await import('../commands/reconcile.js');
        code = await reconcileCommand(candidate, bloc, { ...opts, lang }, io);
      },
    );

  program
    .command('stats')
    .description(
      h(
        'statistiques : réussite par session, année et bloc, compétences difficiles, accord entre jurés',
        'statistics: success by session, year and bloc, hardest competencies, juror agreement',
      ),
    )
    .argument(
      '[sessions...]',
      h(
        'dossiers ou identifiants de session (défaut : toutes)',
        'session folders or ids (default: all)',
      ),
    )
    .addOption(
      new Option('-f, --format <format>', h('format', 'format'))
        .choices(['md', 'html', 'json'])
        .default('md'),
    )
    .option(
      '--qualiopi',
      h(
        'page publique : taux de réussite du titre et des blocs, délibérations closes',
        'public page: success rates of the title and blocs, closed deliberations',
      ),
      false,
    )
    .option(
      '--agreement',
      h(
        'accord entre jurés en double correction (kappa de Cohen)',
        'agreement between jurors in double marking (Cohen’s kappa)',
      ),
      false,
    )
    .option(
      '-o, --out <file>',
      h(
        'écrit dans ce fichier (sinon sur la sortie standard)',
        'write to this file (stdout otherwise)',
      ),
    )
    .action(
      async (
        sessions: string[],
        opts: {
          format: 'md' | 'html' | 'json';
          qualiopi: boolean;
          agreement: boolean;
          out?: string;
        },
        command: Command,
      ) => {
        // `--out stats.html` without --format: the file's extension says which.
        const byName = /\.html?$/i.test(opts.out ?? '')
          ? 'html'
          : /\.json$/i.test(opts.out ?? '')
            ? 'json'
            : undefined;
        const format =
          command.getOptionValueSource('format') === 'default' && byName ? byName : opts.format;
        const { statsCommand } = await import('../commands/stats.js');
        code = await statsCommand(sessions, { ...opts, format, lang }, io);
      },
    );

  const referential = program
    .command('referential')
    .description(
      h(
        'versions des référentiels : liste, différences entre deux versions',
        'référentiel versions: list, differences between two versions',
      ),
    );
  referential
    .command('list')
    .description(
      h(
        'versions disponibles de chaque référentiel et sessions qui les utilisent',
        'available versions of each référentiel and the sessions using them',
      ),
    )
    .addOption(
      new Option('-f, --format <format>', h('format', 'format'))
        .choices(['text', 'json'])
        .default('text'),
    )
    .action(async (opts: { format: 'text' | 'json' }) => {
      const { referentialListCommand } = await import('../commands/referential.js');
      code = await referentialListCommand({ format: opts.format, lang }, io);
    });
  referential
    .command('diff')
    .description(
      h(
        'différences entre deux référentiels (blocs, compétences, critères, règles)',
        'differences between two référentiels (blocs, competencies, criteria, rules)',
      ),
    )
    .argument(
      h('<ancien>', '<old>'),
      h('ancien : fichier ou id@version', 'old: file or id@version'),
    )
    .argument(
      h('<nouveau>', '<new>'),
      h('nouveau : fichier ou id@version', 'new: file or id@version'),
    )
    .addOption(
      new Option('-f, --format <format>', h('format du rapport', 'report format'))
        .choices(['md', 'json'])
        .default('md'),
    )
    .action(async (oldSpec: string, newSpec: string, opts: { format: 'md' | 'json' }) => {
      const { referentialDiffCommand } = await import('../commands/referential.js');
      code = await referentialDiffCommand(oldSpec, newSpec, { format: opts.format, lang }, io);
    });

  program
    .command('schemas')
    .description(
      h(
        'copie les schémas JSON dans .certif/schemas/ du projet (validation dans l’éditeur)',
        'copy the JSON Schemas into the project’s .certif/schemas/ (validation in the editor)',
      ),
    )
    .action(async () => {
      const { schemasCommand } = await import('../commands/schemas.js');
      code = await schemasCommand({ lang }, io);
    });

  // `certif help grade`, as `certif grade --help`, worded in the user's language; the groups of
  // subcommands (render, rncp, export, referential) have theirs too.
  const helpCommand = (c: Command) => {
    c.helpCommand(
      h('help [commande]', 'help [command]'),
      h('affiche l’aide d’une commande', 'display help for a command'),
    );
    c.commands
      .filter((sub) => sub.commands.length > 0)
      .forEach((group) => {
        group.usage(h('[options] [commande]', '[options] [command]'));
        helpCommand(group);
      });
  };
  helpCommand(program);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    return report(error, io, lang);
  }
}

const commanderFr: [RegExp, string][] = [
  [/^error: unknown option '(.+)'/, 'option inconnue « $1 »'],
  [/^error: unknown command '(.+)'/, 'commande inconnue « $1 »'],
  [/^error: missing required argument '(.+)'/, 'argument obligatoire manquant : $1'],
  [/^error: option '(.+)' argument missing/, 'l’option $1 attend une valeur'],
  [
    /^error: too many arguments for '(.+)'\. Expected (\d+) arguments? but got (\d+)\./,
    'trop d’arguments pour « $1 » : $2 attendu(s), $3 donné(s)',
  ],
  [/^error: too many arguments(.*)/, 'trop d’arguments$1'],
  [
    /^error: option '(.+)' argument '(.+)' is invalid\. Allowed choices are (.+)\./,
    'valeur « $2 » invalide pour $1 ; valeurs possibles : $3',
  ],
];

/** Commander's messages, in French by default, with a hint; suggestions kept. */
const helpTitlesFr: Record<string, string> = {
  'Usage:': 'Utilisation :',
  'Options:': 'Options :',
  'Commands:': 'Commandes :',
  'Arguments:': 'Arguments :',
  'Global Options:': 'Options générales :',
};

/**
 * Commander's help in the user's language: section titles, and the choices and defaults it adds
 * after each description.
 */
function helpIn(lang: 'fr' | 'en'): Partial<Help> {
  const base = new Help();
  const extras = (text: string) => {
    // `false` for a flag and `[]` for a repeatable option tell a user nothing: left out.
    const out = text
      .replace(/ ?\(default: (?:false|\[\])\)$/, '')
      .replace(/, default: (?:false|\[\])\)$/, ')');
    return lang === 'fr'
      ? out.replace(/\(choices: /, '(choix : ').replace(/([(,] ?)default: /, '$1défaut : ')
      : out;
  };
  return {
    styleTitle: (title: string) => (lang === 'fr' ? (helpTitlesFr[title] ?? title) : title),
    optionDescription: (option) => extras(base.optionDescription(option)),
    argumentDescription: (argument) => extras(base.argumentDescription(argument)),
  };
}

function translateCommanderError(message: string, lang: 'fr' | 'en'): string {
  const [first = '', ...rest] = message.trimEnd().split('\n');
  let line = first.replace(/^error: /, '');
  if (lang === 'fr') {
    for (const [re, fr] of commanderFr) {
      if (re.test(first)) {
        line = first.replace(re, fr);
        break;
      }
    }
  }
  const suggestion = rest
    .join(' ')
    .replace(
      /\(Did you mean (.+)\?\)/,
      lang === 'fr' ? '(Vouliez-vous dire $1 ?)' : '(Did you mean $1?)',
    )
    .trim();
  const hint = pick(
    lang,
    'certif --help (ou certif <commande> --help) montre l’usage.',
    'certif --help (or certif <command> --help) shows the usage.',
  );
  return `certif: ${line}${suggestion ? ` ${suggestion}` : ''}\n  → ${hint}\n`;
}

/** Print one clear line (and a hint) for an expected failure; the stack only under CERTIF_DEBUG. */
function report(error: unknown, io: Io, lang: 'fr' | 'en'): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof InvalidFilesError) {
    const diagnostics = sortDiagnostics(error.diagnostics);
    io.stderr.write(`certif: ${error.message}\n`);
    io.stderr.write(
      stylish(diagnostics, {
        lang,
        files: new Set(diagnostics.map((d) => d.file)).size,
        strict: false,
      }),
    );
    return EXIT.invalid;
  }
  if (error instanceof UsageError || error instanceof InputError) {
    io.stderr.write(`certif: ${error.message}\n`);
    if (error.hint) io.stderr.write(`  → ${error.hint}\n`);
    return error instanceof UsageError ? EXIT.usage : EXIT.invalid;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(
    pick(
      lang,
      `certif: erreur interne : ${message}\n  → Relancez avec CERTIF_DEBUG=1 pour le détail et signalez-la.\n`,
      `certif: internal error: ${message}\n  → Run again with CERTIF_DEBUG=1 for details and report it.\n`,
    ),
  );
  if (io.env.CERTIF_DEBUG && error instanceof Error && error.stack)
    io.stderr.write(error.stack + '\n');
  return EXIT.internal;
}
