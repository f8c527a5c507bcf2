import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentFrame, renderDocument } from '../../src/render/engine.js';

/**
 * `render … --all` writes its documents to stdout one body at a time (documentFrame); the bytes
 * must be those of the combined document (renderDocument), whatever the bodies hold.
 */
describe('a document written one body at a time', () => {
  it('is byte for byte the combined document, in HTML and Markdown', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('html' as const, 'md' as const),
        fc.constantFrom('fr', 'en'),
        fc.string(),
        fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 5 }),
        (format, lang, title, bodies) => {
          const frame = documentFrame(format, lang, title);
          const streamed = frame.head + bodies.join(frame.between) + frame.tail;
          expect(streamed).toBe(renderDocument(format, lang, title, bodies));
        },
      ),
      { numRuns: 200 },
    );
  });
});
