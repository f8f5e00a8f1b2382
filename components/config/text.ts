/** Control characters in values and messages: one pattern for refusing them and for showing them escaped. */

/** C0/C1 control characters, DEL and Unicode line separators: they forge lines in env files, logs, plans and terminals. */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const ALL_CONTROL_CHARACTERS = new RegExp(CONTROL_CHARACTERS.source, "g");

/** `text` with every control character written as `\uXXXX`, so it prints as exactly one line. */
export function escapeControlCharacters(text: string): string {
    return text.replace(ALL_CONTROL_CHARACTERS, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
