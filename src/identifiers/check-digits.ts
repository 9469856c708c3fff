/**
 * Check-digit validation of Russian state registration identifiers.
 * Algorithms: INN — Order of the Federal Tax Service No. ММВ-7-6/435@ (appendix, check numbers);
 * OGRN/OGRNIP — Government Decree No. 438 (13-digit mod 11, 15-digit mod 13);
 * SNILS — Pension Fund regulation on the insurance number check sum.
 */

const INN10_WEIGHTS = [2, 4, 10, 3, 5, 9, 4, 6, 8] as const;
const INN12_WEIGHTS_1 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8] as const;
const INN12_WEIGHTS_2 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8] as const;

function digitsOf(value: string): number[] {
  return Array.from(value, (c) => c.charCodeAt(0) - 48);
}

function weightedCheck(digits: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i += 1) sum += (digits[i] ?? 0) * (weights[i] ?? 0);
  return (sum % 11) % 10;
}

/** A legal entity's 10-digit INN with a correct check digit. */
export function isValidInnLegalEntity(value: string): boolean {
  if (!/^\d{10}$/.test(value)) return false;
  const d = digitsOf(value);
  return weightedCheck(d, INN10_WEIGHTS) === d[9];
}

/** An individual's (or sole proprietor's) 12-digit INN with both check digits correct. */
export function isValidInnIndividual(value: string): boolean {
  if (!/^\d{12}$/.test(value)) return false;
  const d = digitsOf(value);
  return weightedCheck(d, INN12_WEIGHTS_1) === d[10] && weightedCheck(d, INN12_WEIGHTS_2) === d[11];
}

/** Either form of INN (10 digits for organisations, 12 for individuals). */
export function isValidInn(value: string): boolean {
  return isValidInnLegalEntity(value) || isValidInnIndividual(value);
}

/** A 13-digit OGRN: (first 12 digits mod 11) mod 10 equals the 13th digit. */
export function isValidOgrn(value: string): boolean {
  if (!/^\d{13}$/.test(value)) return false;
  const check = (BigInt(value.slice(0, 12)) % 11n) % 10n;
  return check === BigInt(value.slice(12));
}

/** A 15-digit OGRNIP: (first 14 digits mod 13) mod 10 equals the 15th digit. */
export function isValidOgrnip(value: string): boolean {
  if (!/^\d{15}$/.test(value)) return false;
  const check = (BigInt(value.slice(0, 14)) % 13n) % 10n;
  return check === BigInt(value.slice(14));
}

/** Either OGRN (13 digits) or OGRNIP (15 digits). */
export function isValidOgrnAny(value: string): boolean {
  return isValidOgrn(value) || isValidOgrnip(value);
}

/** The SNILS check number of the first nine digits (weights 9..1; 100 and 101 give 00; above, mod 101). */
export function snilsCheckNumber(first9: string): number {
  const d = digitsOf(first9);
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += (d[i] ?? 0) * (9 - i);
  if (sum < 100) return sum;
  if (sum === 100 || sum === 101) return 0;
  const r = sum % 101;
  return r === 100 ? 0 : r;
}

/** An 11-digit SNILS (no separators) with a correct check number. */
export function isValidSnils(value: string): boolean {
  if (!/^\d{11}$/.test(value)) return false;
  return snilsCheckNumber(value.slice(0, 9)) === Number(value.slice(9));
}

/** Completes a 9-digit INN prefix into a valid 10-digit legal-entity INN (for synthetic fixtures). */
export function completeInnLegalEntity(first9: string): string {
  return first9 + String(weightedCheck(digitsOf(first9), INN10_WEIGHTS));
}

/** Completes a 12-digit OGRN prefix into a valid 13-digit OGRN (for synthetic fixtures). */
export function completeOgrn(first12: string): string {
  return first12 + String((BigInt(first12) % 11n) % 10n);
}

/** Completes a 9-digit SNILS prefix into a valid 11-digit SNILS (for synthetic fixtures). */
export function completeSnils(first9: string): string {
  return first9 + String(snilsCheckNumber(first9)).padStart(2, '0');
}
