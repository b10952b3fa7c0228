// What a format parser (parse-yaml, parse-ini, parse-json) hands back.

/** A parser's answer: the raw document (not validated at all) or why the text is not readable. */
export type ParsedDocument =
  | { readonly ok: true; readonly raw: unknown; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly message: string };
