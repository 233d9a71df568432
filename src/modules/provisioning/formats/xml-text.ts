// XML 1.0 forbids these code points outright: not even a character reference can carry them.
const CHARACTERS_FORBIDDEN_IN_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // A parser turns a raw CR into LF (and any whitespace in an attribute into a space); references survive.
  '\r': '&#13;',
  '\n': '&#10;',
  '\t': '&#9;',
};

function escapeWith(pattern: RegExp, value: string): string {
  if (CHARACTERS_FORBIDDEN_IN_XML.test(value)) {
    throw new RangeError('The value holds a control character that XML 1.0 cannot represent');
  }
  return value.replace(pattern, (character) => XML_ESCAPES[character] ?? character);
}

/** Escapes a value for element content; throws on characters XML cannot represent. */
export function escapeXmlText(value: string): string {
  return escapeWith(/[&<>\r]/g, value);
}

/** Escapes a value for a double- or single-quoted attribute; throws on characters XML cannot represent. */
export function escapeXmlAttribute(value: string): string {
  return escapeWith(/[&<>"'\r\n\t]/g, value);
}
