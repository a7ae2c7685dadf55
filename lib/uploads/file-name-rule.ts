/**
 * File names that cannot disguise themselves (CASES 39). Bidi control characters (U+202A–U+202E,
 * U+2066–U+2069) reorder the text around them, so `‮vsc.exe` (with U+202E RIGHT-TO-LEFT OVERRIDE)
 * displays as `exe.csv`; other invisible format characters (Unicode general category Cf: U+200B
 * ZERO WIDTH SPACE, U+FEFF, U+2060–U+2064, U+00AD SOFT HYPHEN, tag characters …) make two different
 * names look identical. Such names are refused when an upload starts; names stored before this rule
 * existed are shown bidi-isolated and exported with each such character replaced by a visible
 * `<U+XXXX>` escape ({@link neutraliseInvisible}).
 *
 * One exception: U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER between two visible
 * characters are allowed: Persian, Hindi and other scripts need them inside words, and emoji
 * sequences (👩‍💻) are built with ZWJ. They change shaping, never order.
 *
 * Plain TypeScript (no server-only): the same rule runs in the browser, the API and the CSV export.
 */

/** Unicode character names of the format characters users meet most, for messages. */
const NAMES: Record<number, string> = {
  0x00ad: "SOFT HYPHEN",
  0x061c: "ARABIC LETTER MARK",
  0x180e: "MONGOLIAN VOWEL SEPARATOR",
  0x200b: "ZERO WIDTH SPACE",
  0x200c: "ZERO WIDTH NON-JOINER",
  0x200d: "ZERO WIDTH JOINER",
  0x200e: "LEFT-TO-RIGHT MARK",
  0x200f: "RIGHT-TO-LEFT MARK",
  0x202a: "LEFT-TO-RIGHT EMBEDDING",
  0x202b: "RIGHT-TO-LEFT EMBEDDING",
  0x202c: "POP DIRECTIONAL FORMATTING",
  0x202d: "LEFT-TO-RIGHT OVERRIDE",
  0x202e: "RIGHT-TO-LEFT OVERRIDE",
  0x2060: "WORD JOINER",
  0x2061: "FUNCTION APPLICATION",
  0x2062: "INVISIBLE TIMES",
  0x2063: "INVISIBLE SEPARATOR",
  0x2064: "INVISIBLE PLUS",
  0x2066: "LEFT-TO-RIGHT ISOLATE",
  0x2067: "RIGHT-TO-LEFT ISOLATE",
  0x2068: "FIRST STRONG ISOLATE",
  0x2069: "POP DIRECTIONAL ISOLATE",
  0xfeff: "ZERO WIDTH NO-BREAK SPACE (byte order mark)",
};

/** Every character of general category Cf (format), matched one code point at a time. */
const FORMAT_CHAR = /^\p{Cf}$/u;
/** A visible neighbour of a joiner: not a space, not a control, not another format character. */
const VISIBLE = /[^\s\p{Cc}\p{Cf}]/u;

/** One refused character: its code point as `U+XXXX`, its name, and its 1-based position (in characters). */
export interface InvisibleCharacter {
  codePoint: string;
  name: string;
  /** 1-based position in the name, counted in Unicode characters (code points). */
  position: number;
}

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;

/** The Unicode name of a format character (or a description when it is not in the short table). */
export function formatCharName(cp: number): string {
  if (NAMES[cp]) return NAMES[cp];
  if (cp >= 0xe0000 && cp <= 0xe007f) return "TAG CHARACTER";
  return "invisible format character";
}

/** Whether the format character at `chars[i]` is a joiner allowed in this context (see the module comment). */
function allowedJoiner(chars: string[], i: number): boolean {
  const cp = chars[i].codePointAt(0)!;
  if (cp !== 0x200c && cp !== 0x200d) return false;
  return i > 0 && i < chars.length - 1 && VISIBLE.test(chars[i - 1]) && VISIBLE.test(chars[i + 1]);
}

/** Every refused format character of `name`, in order. Empty when the name is acceptable. */
export function findInvisibleCharacters(name: string): InvisibleCharacter[] {
  const chars = Array.from(name);
  const found: InvisibleCharacter[] = [];
  chars.forEach((ch, i) => {
    if (!FORMAT_CHAR.test(ch) || allowedJoiner(chars, i)) return;
    const cp = ch.codePointAt(0)!;
    found.push({ codePoint: hex(cp), name: formatCharName(cp), position: i + 1 });
  });
  return found;
}

/**
 * The message for a refused name, naming the first character and where it is, e.g. `contains the
 * invisible character U+202E RIGHT-TO-LEFT OVERRIDE at position 1 (it can make the name display as
 * something else, e.g. "exe.csv" for "vsc.exe"); rename the file without it`. `null` when acceptable.
 */
export function invisibleCharacterMessage(name: string): string | null {
  const found = findInvisibleCharacters(name);
  if (found.length === 0) return null;
  const first = found[0];
  const more = found.length > 1 ? ` (and ${found.length - 1} more)` : "";
  return `contains the invisible character ${first.codePoint} ${first.name} at position ${first.position}${more}, which can make a name display as something it is not; rename the file without it`;
}

/**
 * `name` with every refused format character replaced by a visible `<U+XXXX>` escape, for exports
 * and any place where isolation is not possible (CSV cells, plain-text logs). `‮vsc.exe` → `<U+202E>vsc.exe`.
 */
export function neutraliseInvisible(name: string): string {
  const chars = Array.from(name);
  return chars
    .map((ch, i) => {
        return FORMAT_CHAR.test(ch) && !allowedJoiner(chars, i) ? `<${hex(ch.codePointAt(0)!)}>` : ch;
    })
    .join("");
}
