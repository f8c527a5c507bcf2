import { Command, CommanderError, Option } from 'commander';
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
    .helpCommand(false)
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
      '[paths...]',
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

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    return report(error, io, lang);
  }
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
        color: false,
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
