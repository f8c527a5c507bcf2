import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemaFileName, schemasDir, type FileKind } from '../schema/registry.js';

/**
 * The `yaml-language-server` comment that points editors at a kind's schema, relative to the
 * folder the file is written in (the comment's text, without the leading `#`).
 */
export function schemaComment(folder: string, kind: FileKind): string {
  const target = path.join(fileURLToPath(schemasDir), schemaFileName(kind));
  const rel = path.relative(folder, target).split(path.sep).join('/');
  return ` yaml-language-server: $schema=${rel}`;
}
