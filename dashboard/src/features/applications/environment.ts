// The rules of the environment form, as the API applies them (EnvironmentRules in the gateway):
// checked here first so a person sees what is wrong beside the field, before anything is sent.

export const MAX_VARIABLES = 200;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface VariableRow {
  key: string;
  name: string;
  value: string;
}

/** What is wrong with a row's name, or null; {@code names} are every row's names, for duplicates. */
export function nameError(name: string, names: string[]): string | null {
  const trimmed = name.trim();
  if (!trimmed) return 'Enter a name';
  if (!NAME.test(trimmed)) return 'Letters, digits and _ only, not starting with a digit';
  if (names.filter((other) => other.trim() === trimmed).length > 1) return 'This name is used twice';
  return null;
}

/**
 * What is wrong with a row's value, or null. Values are never shown again, so an empty value is
 * taken for one the person forgot to enter again rather than for an empty variable.
 */
export function valueError(value: string): string | null {
  if (!value) return 'Enter the value (values are never shown, so enter it again even if it did not change)';
  if (/[\r\n]/.test(value)) return 'A value must be a single line';
  return null;
}

/** The PUT body's variables from the form's rows. */
export function toVariables(rows: VariableRow[]): Record<string, string> {
  return Object.fromEntries(rows.map((row) => [row.name.trim(), row.value]));
}
