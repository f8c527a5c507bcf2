import type { Document } from 'yaml';
import { yamlLib } from './yaml-lib.js';

/** A Document as certif writes it: no folding of long lines, `[a, b]` flow lists. */
export function documentText(doc: Document): string {
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** Replace a value, keeping the comments written on and around the old one. */
export function setKeepingComments(doc: Document, path: readonly string[], value: unknown): void {
  const old = doc.getIn(path, true);
  const node = doc.createNode(value);
  if (yamlLib().isNode(old)) {
    if (old.comment) node.comment = old.comment;
    if (old.commentBefore) node.commentBefore = old.commentBefore;
    if (old.spaceBefore) node.spaceBefore = old.spaceBefore;
  }
  doc.setIn(path, node);
}
