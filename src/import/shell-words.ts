// Python's shlex, in the two modes the imported formats use. supervisord runs `command` as
// shlex.split(command) (POSIX mode, no shell), and Gravity builds its command lines the same
// way; supervisord's `environment` is read by shlex in its older non-POSIX mode, where quotes
// stay part of the token (datatypes.dict_of_key_value_pairs).

export type Split = { readonly ok: true; readonly words: string[] } | { readonly ok: false; readonly message: string };

const WHITESPACE = ' \t\r\n';
const QUOTES = `'"`;

// shlex.split(text): POSIX quoting and backslashes, no comments
export function splitPosix(text: string): Split {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word = `${word ?? ''}${c}`;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < text.length && '"\\'.includes(text[i + 1] as string)) word = `${word ?? ''}${text[++i] ?? ''}`;
      else word = `${word ?? ''}${c}`;
    } else if (WHITESPACE.includes(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '\\') {
      if (i + 1 >= text.length) return { ok: false, message: 'a backslash ends the command (no escaped character)' };
      word = `${word ?? ''}${text[++i] ?? ''}`;
    } else if (QUOTES.includes(c)) {
      word ??= '';
      quote = c;
    } else word = (word ?? '') + c;
  }
  if (quote !== undefined) return { ok: false, message: `no closing quotation (${quote})` };
  if (word !== undefined) words.push(word);
  return { ok: true, words };
}

// Non-POSIX shlex with supervisord's extra word characters: the tokens of an `environment` value
export function supervisordEnvTokens(text: string): Split {
  const wordChars = /[A-Za-z0-9_/.+\-():]/;
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (WHITESPACE.includes(c)) {
      i++;
    } else if (c === '#') {
      i = skipLine(text, i);
    } else if (QUOTES.includes(c)) {
      const end = text.indexOf(c, i + 1);
      if (end === -1) return { ok: false, message: `no closing quotation (${c})` };
      tokens.push(text.slice(i, end + 1));
      i = end + 1;
    } else if (wordChars.test(c)) {
      let token = '';
      // A word goes on through word characters and quotes; '#' skips the rest of the line and the word carries on after it.
      while (i < text.length) {
        const d = text[i] as string;
        if (d === '#') i = skipLine(text, i);
        else if (wordChars.test(d) || QUOTES.includes(d)) token += text[i++];
        else break;
      }
      tokens.push(token);
    } else {
      tokens.push(c);
      i++;
    }
  }
  return { ok: true, words: tokens };
}

function skipLine(text: string, i: number): number {
  const end = text.indexOf('\n', i);
  return end === -1 ? text.length : end + 1;
}

// Quote an argv for a shell only when it needs it, for comments and messages
export function quoteWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
