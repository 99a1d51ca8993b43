/**
 * Quoting of values interpolated into shell strings (a `command` stage's `run: "…"`, which `sh -c`
 * runs). A parameter, a matrix value or an upstream output path is data: pasted as it is, a path with a
 * space splits into two words and `--set 'name=x; touch F'` runs `touch F`. Each value is therefore
 * escaped for the quoting context it stands in, read from the literal text before it:
 *
 *   unquoted         echo ${{ params.name }}      → echo 'x; touch F'
 *   single quotes    echo '${{ params.name }}'    → echo 'x; touch F'   (a ' inside becomes '\'')
 *   double quotes    echo "${{ params.name }}"    → echo "x; touch F"   (\ " $ ` get a backslash)
 *
 * so a pipeline that already put quotes around its placeholders keeps working, and no value can end
 * the quotes it stands in. Escaping leaves the context as it was, so text after a value reads as the
 * author wrote it. Only POSIX sh quoting is understood (no `$'…'`, no here-documents); a placeholder
 * inside `$( … )` or backquotes is escaped for the quotes around that construct.
 */

/** Where a position in a shell string stands: outside quotes, inside '…', inside "…". */
export type ShellContext = 'plain' | 'single' | 'double';

/** The context after reading `text` from context `from`. */
export function contextAfter(text: string, from: ShellContext): ShellContext {
  let ctx = from;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (ctx === 'single') {
      if (c === "'") ctx = 'plain';
    } else if (c === '\\') {
      i++; // the next character is literal, in plain text and in double quotes
    } else if (c === '"') {
      ctx = ctx === 'double' ? 'plain' : 'double';
    } else if (c === "'" && ctx === 'plain') {
      ctx = 'single';
    }
  }
  return ctx;
}

/** `value` as text that the shell reads back as exactly `value`, standing in context `ctx`. */
export function shellEscape(value: string, ctx: ShellContext): string {
  switch (ctx) {
    case 'plain':
      return `'${value.replace(/'/g, `'\\''`)}'`;
    case 'single':
      return value.replace(/'/g, `'\\''`);
    case 'double':
      return value.replace(/[\\"$`]/g, '\\$&');
  }
}

/**
 * Joins the pieces of a shell template: `literal[i]` text, then the value of hole i. Values that are
 * not strings are written as JSON, like any interpolation into text (template.ts), then escaped.
 */
export function joinShell(pieces: readonly ({ literal: string } | { value: unknown })[]): string {
  let out = '';
  let ctx: ShellContext = 'plain';
  for (const p of pieces) {
    if ('literal' in p) {
      out += p.literal;
      ctx = contextAfter(p.literal, ctx);
    } else {
      out += shellEscape(typeof p.value === 'string' ? p.value : JSON.stringify(p.value), ctx);
    }
  }
  return out;
}
