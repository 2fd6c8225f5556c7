/**
 * A message catalogue: English message templates (the message ids, as gettext keeps the
 * source language's text as the id) with their translation. `{name}` stands for a value; the
 * translation puts it where the language wants it.
 *
 * @example
 * const de: MessageCatalogue = { 'file {file} not found': 'Datei {file} nicht gefunden' };
 */
export type MessageCatalogue = Readonly<Record<string, string>>;

interface CompiledMessage {
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly translation: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compile(catalogue: MessageCatalogue): CompiledMessage[] {
  // Longer templates first: a specific message wins over a shorter one it contains.
  return Object.entries(catalogue)
    .sort(([a], [b]) => b.length - a.length)
    .map(([english, translation]) => {
      const names: string[] = [];
      const source = english
        .split(/(\{\w+\})/)
        .map((part) => {
          const name = /^\{(\w+)\}$/.exec(part)?.[1];
          if (!name) return escapeRegExp(part);
          names.push(name);
          return '(.*?)';
        })
        .join('');
      return { pattern: new RegExp(`^${source}$`), names, translation };
    });
}

/** Translates messages and text by a catalogue. */
export interface Translator {
  /** One message: its translation, or the message itself when the catalogue has no template for it. */
  message(text: string): string;
  /** Text of lines: each line (leading blanks kept) translated as a message. */
  text(text: string): string;
}

/**
 * A translator over a catalogue; values keep their place by name. A line may start with one of
 * `prefixes`, which stays as it is.
 *
 * @example
 * const t = createTranslator({ 'file {file} not found': 'Datei {file} nicht gefunden' });
 * t.message('file leads.csv not found'); // 'Datei leads.csv nicht gefunden'
 * t.text('rapport: file a.csv not found\n'); // unchanged: the prefix is not in the template
 */
export function createTranslator(
  catalogue: MessageCatalogue,
  options: { readonly prefixes?: readonly string[] } = {},
): Translator {
  const compiled = compile(catalogue);
  const message = (text: string): string => {
    for (const entry of compiled) {
      const match = entry.pattern.exec(text);
      if (!match) continue;
      // A value may itself be a message (an issue inside a row error): translated too. It is
      // shorter than the text, so this ends.
      const values = new Map(entry.names.map((name, i) => [name, message(match[i + 1] ?? '')]));
      return entry.translation.replace(/\{(\w+)\}/g, (whole, name: string) =>
        values.has(name) ? (values.get(name) ?? '') : whole,
      );
    }
    return text;
  };
  const line = (text: string): string => {
    const [, indent = '', rest = ''] = /^(\s*)([\s\S]*?)$/.exec(text) ?? [];
    if (rest === '') return text;
    // A prefix (`rapport: ` before an error) stays; the message after it is translated.
    const prefix = options.prefixes?.find((p) => rest.startsWith(p)) ?? '';
    return `${indent}${prefix}${message(rest.slice(prefix.length))}`;
  };
  return {
    message,
    // A paragraph (a help text's, lines wrapped by hand) may be one message; else its lines
    // are. Blank lines, line breaks and carriage returns (a progress line redrawn in place)
    // stay as they are.
    text: (text) =>
      text
        .split(/(\r?\n[ \t]*\r?\n)/)
        .map((paragraph, i) => {
          if (i % 2 === 1) return paragraph;
          const [, before = '', block = '', after = ''] =
            /^(\s*)([\s\S]*?)(\s*)$/.exec(paragraph) ?? [];
          const whole = block.includes('\n') ? message(block) : block;
          if (whole !== block) return `${before}${whole}${after}`;
          return paragraph
            .split(/(\r\n|\n|\r)/)
            .map((part, j) => (j % 2 === 1 ? part : line(part)))
            .join('');
        })
        .join(''),
  };
}
