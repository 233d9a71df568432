// CR and LF can be neither qdtext nor a quoted-pair (RFC 3261 §25.1), and most other controls are illegal in
// XML 1.0; a display name is user input, so any control character becomes a plain space.
const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F]/g;
// Names stored before the edge refused them may hold what neither XML nor UTF-8 can carry: U+FFFE, U+FFFF and
// lone surrogates (the `u` flag matches a surrogate only when it is not half of a pair) become U+FFFD.
const UNREPRESENTABLE = /[\uD800-\uDFFF\uFFFE\uFFFF]/gu;

/**
 * Renders a display name as an RFC 3261 quoted-string: `"` and `\` become quoted-pairs, non-ASCII stays
 * as UTF-8 (allowed as UTF8-NONASCII).
 */
export function quoteSipDisplayName(displayName: string): string {
  const printable = displayName.replace(CONTROL_CHARACTERS, ' ').replace(UNREPRESENTABLE, '\uFFFD');
  return `"${printable.replace(/["\\]/g, (character) => `\\${character}`)}"`;
}
