import { describe, expect, it } from 'vitest';
import {
  completeInnLegalEntity,
  completeOgrn,
  completeSnils,
  isValidInn,
  isValidInnIndividual,
  isValidInnLegalEntity,
  isValidOgrn,
  isValidOgrnip,
  isValidSnils,
} from './check-digits.ts';

// Published identifiers of real organisations (registry data is public) and widely cited samples.
describe('INN', () => {
  it('accepts published legal-entity INNs and rejects a changed digit', () => {
    expect(isValidInnLegalEntity('7707083893')).toBe(true); // Sberbank
    expect(isValidInnLegalEntity('7736050003')).toBe(true); // Gazprom
    expect(isValidInnLegalEntity('7707083894')).toBe(false);
    expect(isValidInnLegalEntity('770708389')).toBe(false);
    expect(isValidInnLegalEntity('77070838a3')).toBe(false);
  });
  it('checks both digits of a 12-digit INN', () => {
    expect(isValidInnIndividual('500100732259')).toBe(true);
    expect(isValidInnIndividual('500100732258')).toBe(false);
    expect(isValidInnIndividual('500100732249')).toBe(false);
    expect(isValidInn('500100732259')).toBe(true);
    expect(isValidInn('7707083893')).toBe(true);
  });
  it('completes prefixes into valid numbers', () => {
    for (const prefix of ['590200000', '590412345', '000000000', '999999999']) {
      const inn = completeInnLegalEntity(prefix);
      expect(isValidInnLegalEntity(inn)).toBe(true);
      const broken = inn.slice(0, 9) + String((Number(inn[9]) + 1) % 10);
      expect(isValidInnLegalEntity(broken)).toBe(false);
    }
  });
});

describe('OGRN', () => {
  it('accepts published OGRNs and rejects a changed digit', () => {
    expect(isValidOgrn('1027700132195')).toBe(true); // Sberbank
    expect(isValidOgrn('1027700070518')).toBe(true); // Gazprom
    expect(isValidOgrn('1027700132196')).toBe(false);
    expect(isValidOgrn('102770013219')).toBe(false);
  });
  it('checks OGRNIP with mod 13', () => {
    expect(isValidOgrnip('304500116000157')).toBe(true);
    expect(isValidOgrnip('304500116000158')).toBe(false);
  });
  it('completes prefixes', () => {
    for (const prefix of ['102590000000', '115590000123']) expect(isValidOgrn(completeOgrn(prefix))).toBe(true);
  });
});

describe('SNILS', () => {
  it('accepts correct check numbers, including the 100/101 rule', () => {
    expect(isValidSnils('11223344595')).toBe(true);
    expect(isValidSnils('11223344596')).toBe(false);
    expect(isValidSnils('08765430300')).toBe(true); // weighted sum 202 -> 202 mod 101 = 0 -> "00"
    expect(isValidSnils('08765430301')).toBe(false);
  });
  it('completes prefixes', () => {
    for (const prefix of ['112233445', '087654303', '999999999', '000000001']) {
      expect(isValidSnils(completeSnils(prefix))).toBe(true);
    }
  });
});
