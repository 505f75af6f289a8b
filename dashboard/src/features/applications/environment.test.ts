import { describe, expect, it } from 'vitest';
import { nameError, toVariables, valueError } from './environment';

describe('environment form rules', () => {
  it('takes names the API takes and refuses the rest', () => {
    expect(nameError('DB_PASSWORD', ['DB_PASSWORD'])).toBeNull();
    expect(nameError('_x1', ['_x1'])).toBeNull();
    expect(nameError('', [''])).toBe('Enter a name');
    expect(nameError('1ST', ['1ST'])).toMatch(/not starting with a digit/);
    expect(nameError('MY-VAR', ['MY-VAR'])).toMatch(/Letters, digits and _ only/);
    expect(nameError('A', ['A', ' A '])).toBe('This name is used twice');
  });

  it('asks for every value again and refuses line breaks', () => {
    expect(valueError('s3cret')).toBeNull();
    expect(valueError('')).toMatch(/enter it again/);
    expect(valueError('one\ntwo')).toBe('A value must be a single line');
  });

  it('builds the body from trimmed names and untouched values', () => {
    expect(toVariables([{ key: 'a', name: ' GREETING ', value: ' hello ' }])).toEqual({ GREETING: ' hello ' });
    expect(toVariables([])).toEqual({});
  });
});
