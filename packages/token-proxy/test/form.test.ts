import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFormComponent, decodeUtf8, isFormContentType, parseForm } from '../src/form.js';

/** The one strict form parser of the token proxy and the mock server. */

describe('parseForm', () => {
  it('reads what URLSearchParams writes, in order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string({ minLength: 1 }), fc.string()), {
          selector: ([k]) => k,
        }),
        (pairs) => {
          const parsed = parseForm(new URLSearchParams(pairs).toString());
          expect(parsed.ok && parsed.params).toEqual(pairs);
        },
      ),
    );
  });

  it('refuses repeated parameters, across sources too, naming only known ones', () => {
    expect(parseForm('a=1&a=2')).toEqual({ ok: false, description: 'repeated parameter' });
    expect(parseForm('grant_type=a&grant_type=')).toEqual({
      ok: false,
      description: 'repeated grant_type parameter',
    });
    expect(parseForm(['code=a', 'code=b'])).toEqual({
      ok: false,
      description: 'repeated code parameter',
    });
    expect(parseForm(['code_verifier=a', 'code_verifier=b'])).toEqual({
      ok: false,
      description: 'repeated code_verifier parameter',
    });
    expect(parseForm(['x=1', 'x=2'])).toEqual({ ok: false, description: 'repeated parameter' });
  });

  it('refuses escapes that are not UTF-8', () => {
    for (const raw of ['a=%FF', 'a=%E2%82', 'a=%2', '%FF=1'])
      expect(parseForm(raw)).toEqual({ ok: false, description: 'malformed percent-encoding' });
    expect(decodeFormComponent('%E2%82%AC')).toBe('€');
    expect(decodeFormComponent('%E2%82')).toBeUndefined();
  });

  it('reads + as a space and %2B as a plus, keeps empty values and skips empty parts', () => {
    const parsed = parseForm('s=a+b%2Bc&&flag&e=');
    expect(parsed).toEqual({
      ok: true,
      params: [
        ['s', 'a b+c'],
        ['flag', ''],
        ['e', ''],
      ],
    });
    expect(parseForm('')).toEqual({ ok: true, params: [] });
  });
});

describe('isFormContentType', () => {
  it('accepts the form type with or without a UTF-8 charset, nothing else', () => {
    expect(isFormContentType('application/x-www-form-urlencoded')).toBe(true);
    expect(isFormContentType('Application/X-WWW-Form-Urlencoded; Charset="UTF-8"')).toBe(true);
    expect(isFormContentType('application/x-www-form-urlencoded;')).toBe(true);
    expect(isFormContentType('application/x-www-form-urlencoded;charset=latin1')).toBe(false);
    expect(isFormContentType('application/json')).toBe(false);
    expect(isFormContentType(undefined)).toBe(false);
    expect(isFormContentType(null)).toBe(false);
  });
});

describe('decodeUtf8', () => {
  it('decodes UTF-8 and refuses anything else', () => {
    expect(decodeUtf8(new TextEncoder().encode('grant_type=€'))).toBe('grant_type=€');
    expect(decodeUtf8(new Uint8Array([0xff, 0xfe]))).toBeUndefined();
  });
});
