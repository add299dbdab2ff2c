import type { FieldProblem } from './errors';

/**
 * What text the broker accepts. Item titles and bodies end up in RSS/Atom XML, e-mail headers,
 * STIX, MISP and PostgreSQL `text` columns: XML 1.0 cannot carry C0 controls (other than TAB, LF,
 * CR), lone surrogates or U+FFFE/U+FFFF; PostgreSQL refuses NUL; a mail header cannot carry any
 * control character; DEL and the C1 controls have no business in text a person wrote. So these are
 * refused in every string of every request, whatever the field.
 */
const FORBIDDEN =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Line and paragraph breaks and tabs: refused in fields that are one line (titles, names, addresses, URLs). */
const LINE_BREAK = /[\t\n\r\u2028\u2029]/;

function codePoint(text: string, index: number): string {
  return `U+${text.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why `text` may not be stored or served anywhere, or null when it may. */
export function forbiddenCharacter(text: string): string | null {
  const found = FORBIDDEN.exec(text);
  if (!found) return null;
  const code = found[0].charCodeAt(0);
  const point = codePoint(text, found.index);
  if (code >= 0xd800 && code <= 0xdfff) return `contains an unpaired surrogate (${point}): send well-formed UTF-8`;
  if (code >= 0xfffe) return `contains the non-character ${point}, which is not allowed`;
  return `contains the control character ${point}, which is not allowed`;
}

/** Why `text` is not a single line, or null when it is (assumes `forbiddenCharacter` was checked). */
export function lineBreak(text: string): string | null {
  const found = LINE_BREAK.exec(text);
  return found ? `must be a single line: no line break or tab (${codePoint(text, found.index)})` : null;
}

/**
 * The first string (or property name) anywhere in a parsed JSON value, query or parameter that
 * holds a forbidden character, with its path as the validation errors name fields
 * (`indicators.0.value`; `whole` when the value itself is at fault). Iterative: a value nested as deep as the body limit allows costs no stack.
 */
export function findForbiddenText(value: unknown, root: string, whole = 'body'): FieldProblem | null {
  const stack: { value: unknown; path: string }[] = [{ value, path: root }];
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      const problem = forbiddenCharacter(current);
      if (problem) return { field: path || whole, message: problem };
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--)
        stack.push({ value: current[index], path: join(path, String(index)) });
    } else if (typeof current === 'object' && current !== null) {
      const keys = Object.keys(current);
      for (let index = keys.length - 1; index >= 0; index--) {
        const key = keys[index];
        const problem = forbiddenCharacter(key);
        if (problem) return { field: path || whole, message: `a property name ${problem}` };
        stack.push({ value: (current as Record<string, unknown>)[key], path: join(path, key) });
      }
    }
  }
  return null;
}
