export const PASSWORD_RULE = '12 to 256 characters, with 3 of: lowercase, uppercase, digit, symbol.';

/** The API's strong-password rule, checked before sending so the user learns it at once. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < 12) {
    return 'Use at least 12 characters';
  }
  if ([...password].length > 256) {
    return 'Use at most 256 characters';
  }
  const classes = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}\s]/u].filter((re) => re.test(password)).length;
  return classes >= 3 ? null : 'Use at least 3 of: lowercase, uppercase, digit, symbol';
}
