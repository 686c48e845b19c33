// A small well-formedness check for the SVG we write (no XML library in the project): every element
// closed in order, attributes quoted, only the five predefined entities or numeric ones.

export interface XmlElement {
  readonly name: string;
  readonly attrs: Record<string, string>;
}

/** Throws on the first problem; returns every start tag with its attributes, root first. */
export function parseXmlish(text: string): XmlElement[] {
  const body = text.replace(/^<\?xml[^>]*\?>\s*/, '').replace(/<!--[\s\S]*?-->/g, '');
  const stack: string[] = [];
  const out: XmlElement[] = [];
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g;
  let pos = 0;
  for (let m = tag.exec(body); m; m = tag.exec(body)) {
    const between = body.slice(pos, m.index);
    if (/[<>]/.test(between)) throw new Error(`stray markup near offset ${pos}: ${between.slice(0, 60)}`);
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(between)) throw new Error(`bad entity near offset ${pos}`);
    pos = m.index + m[0].length;
    const [, close, name, attrText, selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open ?? 'nothing'}>`);
      continue;
    }
    if (stack.length === 0 && out.length > 0) throw new Error(`second root element <${name}>`);
    const attrs: Record<string, string> = {};
    for (const a of attrText!.matchAll(/([\w:.-]+)="([^"]*)"/g)) attrs[a[1]!] = a[2]!;
    out.push({ name: name!, attrs });
    if (!selfClose) stack.push(name!);
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('> <')}>`);
  if (body.slice(pos).trim()) throw new Error('text after the root element');
  return out;
}
