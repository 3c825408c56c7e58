import { describe, expect, it } from 'vitest';
import { COUNTRY_CODES, countryCode } from '../../../src/transform/attributes/country.js';
import { LANGUAGE_CODES } from '../../../src/transform/attributes/languages.js';

describe('countryCode', () => {
  it('holds the 249 ISO 3166-1 codes and no UK, EU, UN or XK', () => {
    expect(COUNTRY_CODES.size).toBe(249);
    for (const code of ['UK', 'EU', 'UN', 'XK']) expect(COUNTRY_CODES.has(code)).toBe(false);
  });

  it('upper-cases an alpha-2 code', () => {
    expect(countryCode('fr')).toBe('FR');
  });

  it.each([
    ['United Kingdom', 'GB'],
    ['united states', 'US'],
    ['Germany', 'DE'],
    ['Czechia', 'CZ'],
    ['USA', 'US'],
    ['United States of America', 'US'],
    ['UK', 'GB'],
    ['Great Britain', 'GB'],
    ['England', 'GB'],
    ['Scotland', 'GB'],
    ['Wales', 'GB'],
    ['Czech Republic', 'CZ'],
    ['Turkey', 'TR'],
    ['Türkiye', 'TR'],
    ['Russia', 'RU'],
    ['South Korea', 'KR'],
    ['North Korea', 'KP'],
    ['Hong Kong', 'HK'],
    ['Macau', 'MO'],
    ['Vietnam', 'VN'],
    ['Ivory Coast', 'CI'],
    ['holland', 'NL'],
  ])('converts %s to %s', (name, code) => {
    expect(countryCode(name)).toBe(code);
  });

  it.each([['Atlantis'], ['XK'], ['EU'], ['Unknown Region'], ['']])('does not know %j', (value) => {
    expect(countryCode(value)).toBeUndefined();
  });
});

describe('LANGUAGE_CODES', () => {
  it('holds the 184 ISO-639-1 codes', () => {
    expect(LANGUAGE_CODES.size).toBe(184);
    expect(LANGUAGE_CODES.has('en')).toBe(true);
    expect(LANGUAGE_CODES.has('xx')).toBe(false);
  });
});
