// The CodeMirror 6 editor of one shared document: plain text (Markdown) with line wrapping, the standard keymap
// (moving, selecting, deleting, Enter), undo/redo of one's own edits (Yjs' UndoManager through y-codemirror.next:
// CodeMirror's own history would also undo other people's typing), and the others' cursors and selections
// labelled with their names. No language package: the text stays plain.
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { standardKeymap } from '@codemirror/commands';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import type { DocSync } from './doc-sync.js';

/** Names on the others' cursors stay visible (not only on hover): whoever types is seen at once. */
const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '0.95rem', backgroundColor: '#fff' },
  '.cm-scroller': { fontFamily: 'inherit', lineHeight: '1.5' },
  '.cm-content': { padding: '0.6rem 0' },
  '.cm-line': { padding: '0 0.7rem' },
  '&.cm-focused': { outline: '2px solid #1f6feb55' },
  '.cm-ySelectionInfo': { opacity: '1', fontFamily: 'inherit', top: '-1.25em', padding: '0 3px', borderRadius: '3px 3px 3px 0' },
});

export interface EditorLabels {
  /** The editor's accessible name. */
  label: string;
  /** Shown while the document is empty. */
  empty: string;
}

/** A new editor in `parent` bound to the document's text and awareness. Destroy it to unbind. */
export function docEditor(parent: HTMLElement, doc: DocSync, labels: EditorLabels): EditorView {
  const state = EditorState.create({
    doc: doc.text.toString(),
    extensions: [
      keymap.of([...yUndoManagerKeymap, ...standardKeymap]),
      EditorView.lineWrapping,
      placeholder(labels.empty),
      EditorView.contentAttributes.of({ 'aria-label': labels.label, 'data-doc': doc.name }),
      theme,
      yCollab(doc.text, doc.awareness, { undoManager: doc.undoManager }),
    ],
  });
  return new EditorView({ state, parent });
}
