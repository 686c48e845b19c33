// The browser bundle's boundary: src/web imports only its own modules at runtime, the few browser packages the
// shared-document editor is made of, and only types from the signaling protocol (zod and node stay out of the page).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../src/web/', import.meta.url);
const sources = readdirSync(dir).filter((f) => f.endsWith('.ts'));
/** Packages bundled into the page (the shared-document editor and its sync). */
const BROWSER_PACKAGES = ['yjs', 'y-protocols/awareness', 'y-codemirror.next', '@codemirror/state', '@codemirror/view', '@codemirror/commands'];

describe('src/web imports', () => {
  it('has sources to check', () => {
    expect(sources).toContain('main.ts');
  });

  it('imports at runtime only sibling modules and the editor packages, and the protocol only as types', () => {
    for (const file of sources) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) {
        const [, , typeOnly, spec = ''] = m;
        if (spec.startsWith('./') || BROWSER_PACKAGES.includes(spec)) continue;
        expect(`${file}: ${spec}`).toMatch(/: \.\.\/signaling\/protocol\.js$/);
        expect(typeOnly, `${file} must use "import type" for ${spec}`).toBeTruthy();
      }
      expect(text, `${file} dynamic import`).not.toMatch(/\bimport\(/);
      expect(text, `${file} innerHTML`).not.toMatch(/\.(innerHTML|outerHTML)\b|insertAdjacentHTML/);
    }
  });
});
