// CR and LF can be neither qdtext nor a quoted-pair (RFC 3261 §25.1), and most other controls are illegal in
// XML 1.0; a display name is user input, so any control character becomes a plain space.
const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F]/g;

/**
 * Renders a display name as an RFC 3261 quoted-string: `"` and `\` become quoted-pairs, non-ASCII stays
 * as UTF-8 (allowed as UTF8-NONASCII).
 */
export function quoteSipDisplayName(displayName: string): string {
  const printable = displayName.replace(CONTROL_CHARACTERS, ' ');
  return `"${printable.replace(/["\\]/g, (character) => `\\${character}`)}"`;
}
