/**
 * One participant record as administrators edit, import and export it: a flat set of named
 * fields (the CSV columns and XML elements), checked field by field so every problem of a record
 * is reported at once with a stable code.
 */
import { z } from 'zod';
import { CATEGORY_CODES, type CategoryCode, type ParticipantRow } from '../directory/index.ts';
import { isValidInnIndividual, isValidInnLegalEntity, isValidOgrn, isValidOgrnip, isValidSnils } from '../identifiers/index.ts';
import type { FieldError } from './errors.ts';

/** The fixed column names of the CSV format, in order (also the element names of the XML format). */
export const PARTICIPANT_COLUMNS = [
  'id',
  'kind',
  'category',
  'name',
  'shortName',
  'inn',
  'ogrn',
  'kpp',
  'parentId',
  'region',
  'address',
  'email',
  'phone',
  'deliveryMode',
  'pushEndpoint',
  'state',
  'signatorySurname',
  'signatoryGivenName',
  'signatoryPosition',
  'signatorySnils',
] as const;
export type ParticipantColumn = (typeof PARTICIPANT_COLUMNS)[number];

/** Raw field values as they arrive (text); missing and empty both mean "not given". */
export type RawRecord = Partial<Record<ParticipantColumn, string | null>>;

export interface Signatory {
  surname: string;
  givenName: string;
  position: string;
  snils: string;
}

export interface ParticipantRecord {
  id: string;
  kind: 'government' | 'enterprise';
  category: CategoryCode;
  name: string;
  shortName: string;
  inn: string;
  ogrn: string;
  kpp: string | null;
  parentId: string | null;
  region: string | null;
  address: string | null;
  email: string | null;
  phone: string | null;
  deliveryMode: 'pull' | 'push';
  pushEndpoint: string | null;
  state: 'active' | 'suspended';
  signatory: Signatory | null;
}

export const PARTICIPANT_ID = /^[a-z0-9][a-z0-9-]{1,62}$/u;
// KPP (Federal Tax Service order ММВ-7-6/435@): 4-digit tax office, 2-character reason (digits or A-Z), 3-digit number.
const KPP = /^\d{4}[0-9A-Z]{2}\d{3}$/u;
const PHONE = /^\+?[0-9][0-9 ()-]{4,29}$/u;
const emailSchema = z.email();

type CheckResult = { ok: true; value: ParticipantRecord } | { ok: false; errors: FieldError[] };

function text(raw: RawRecord, field: ParticipantColumn): string | null {
  const v = raw[field];
  if (v === undefined || v === null) return null;
  const t = v.trim();
  return t === '' ? null : t;
}

/**
 * Checks one record: required fields, formats, the check digits of INN and OGRN/OGRNIP (FNS order
 * ММВ-7-6/435@, Government decree 438) and SNILS, KPP format, HTTPS push endpoints. References
 * to other participants (parent) are checked by the caller, who knows the directory.
 */
export function checkParticipantRecord(raw: RawRecord): CheckResult {
  const errors: FieldError[] = [];
  const err = (field: string, code: string, message: string): void => {
    errors.push({ field, code, message });
  };
  const required = (field: ParticipantColumn, max: number): string => {
    const v = text(raw, field);
    if (v === null) err(field, 'REQUIRED', `${field} is required`);
    else if (v.length > max) err(field, 'TOO_LONG', `${field} is longer than ${max} characters`);
    return v ?? '';
  };
  const optional = (field: ParticipantColumn, max: number): string | null => {
    const v = text(raw, field);
    if (v !== null && v.length > max) err(field, 'TOO_LONG', `${field} is longer than ${max} characters`);
    return v;
  };

  const id = required('id', 63);
  if (id !== '' && !PARTICIPANT_ID.test(id)) err('id', 'ID_FORMAT', 'id must be 2-63 lower-case letters, digits and dashes');

  const categoryText = required('category', 64);
  const category = (CATEGORY_CODES as readonly string[]).includes(categoryText) ? (categoryText as CategoryCode) : undefined;
  if (categoryText !== '' && category === undefined) err('category', 'CATEGORY_UNKNOWN', `category must be one of ${CATEGORY_CODES.join(', ')}`);
  const kindText = text(raw, 'kind');
  const derivedKind = category === 'enterprise' ? 'enterprise' : 'government';
  let kind: 'government' | 'enterprise' = derivedKind;
  if (kindText !== null) {
    if (kindText !== 'government' && kindText !== 'enterprise') err('kind', 'KIND_UNKNOWN', 'kind must be government or enterprise');
    else if (category !== undefined && kindText !== derivedKind) err('kind', 'KIND_MISMATCH', 'kind "enterprise" goes with category "enterprise" and only with it');
    else kind = kindText;
  }

  const name = required('name', 1000);
  const shortName = optional('shortName', 300) ?? name;

  const inn = required('inn', 12);
  if (inn !== '') {
    if (!/^(\d{10}|\d{12})$/u.test(inn)) err('inn', 'INN_FORMAT', 'INN must be 10 digits (organisation) or 12 digits (individual)');
    else if (!(inn.length === 10 ? isValidInnLegalEntity(inn) : isValidInnIndividual(inn))) err('inn', 'INN_CHECK_DIGIT', `INN ${inn} has a wrong check digit`);
  }
  const ogrn = required('ogrn', 15);
  if (ogrn !== '') {
    if (!/^(\d{13}|\d{15})$/u.test(ogrn)) err('ogrn', 'OGRN_FORMAT', 'OGRN must be 13 digits (OGRNIP: 15 digits)');
    else if (!(ogrn.length === 13 ? isValidOgrn(ogrn) : isValidOgrnip(ogrn))) err('ogrn', 'OGRN_CHECK_DIGIT', `OGRN ${ogrn} has a wrong check digit`);
    else if (/^\d{10}$/u.test(inn) && ogrn.length !== 13) err('ogrn', 'OGRN_KIND_MISMATCH', 'an organisation (10-digit INN) has a 13-digit OGRN');
    else if (/^\d{12}$/u.test(inn) && ogrn.length !== 15) err('ogrn', 'OGRN_KIND_MISMATCH', 'an individual entrepreneur (12-digit INN) has a 15-digit OGRNIP');
  }
  const kpp = text(raw, 'kpp');
  if (kpp !== null) {
    if (!KPP.test(kpp)) err('kpp', 'KPP_FORMAT', 'KPP must be 9 characters: 4 digits, 2 digits or capital letters, 3 digits');
    else if (inn.length === 12) err('kpp', 'KPP_NOT_ALLOWED', 'an individual (12-digit INN) has no KPP');
  }

  const parentId = text(raw, 'parentId');
  if (parentId !== null) {
    if (!PARTICIPANT_ID.test(parentId)) err('parentId', 'ID_FORMAT', 'parentId must be a participant id');
    else if (parentId === id) err('parentId', 'PARENT_SELF', 'a participant cannot be its own parent');
  }
  const region = text(raw, 'region');
  if (region !== null && !/^\d{2}$/u.test(region)) err('region', 'REGION_FORMAT', 'region must be a 2-digit region code');
  const address = optional('address', 1000);
  const email = optional('email', 254);
  if (email !== null && !emailSchema.safeParse(email).success) err('email', 'EMAIL_FORMAT', 'email is not an e-mail address');
  const phone = text(raw, 'phone');
  if (phone !== null && !PHONE.test(phone)) err('phone', 'PHONE_FORMAT', 'phone must be digits with optional +, spaces, dashes and parentheses');

  const modeText = text(raw, 'deliveryMode') ?? 'pull';
  let deliveryMode: 'pull' | 'push' = 'pull';
  if (modeText === 'pull' || modeText === 'push') deliveryMode = modeText;
  else err('deliveryMode', 'DELIVERY_MODE_UNKNOWN', 'deliveryMode must be pull or push');
  const pushEndpoint = optional('pushEndpoint', 2000);
  if (pushEndpoint !== null) {
    let url: URL | undefined;
    try {
      url = new URL(pushEndpoint);
    } catch {
      err('pushEndpoint', 'URL_FORMAT', 'pushEndpoint is not a URL');
    }
    // Push carries signed letters: plain HTTP would expose them and let anyone in the path swap the endpoint's answers.
    if (url !== undefined && url.protocol !== 'https:') err('pushEndpoint', 'NOT_HTTPS', 'pushEndpoint must be an https URL');
    if (url !== undefined && (url.username !== '' || url.password !== '')) err('pushEndpoint', 'URL_CREDENTIALS', 'pushEndpoint must not carry credentials');
  } else if (deliveryMode === 'push') {
    err('pushEndpoint', 'REQUIRED', 'push delivery needs a pushEndpoint');
  }

  const stateText = text(raw, 'state') ?? 'active';
  let state: 'active' | 'suspended' = 'active';
  if (stateText === 'active' || stateText === 'suspended') state = stateText;
  else err('state', 'STATE_UNKNOWN', 'state must be active or suspended');

  const signatoryFields = ['signatorySurname', 'signatoryGivenName', 'signatoryPosition', 'signatorySnils'] as const;
  let signatory: Signatory | null = null;
  if (signatoryFields.some((f) => text(raw, f) !== null)) {
    const [surname, givenName, position] = [required('signatorySurname', 200), required('signatoryGivenName', 200), required('signatoryPosition', 500)];
    const snilsText = required('signatorySnils', 20);
    // SNILS is often written 123-456-789 01.
    const snils = snilsText.replace(/[\s-]/gu, '');
    if (snilsText !== '') {
      if (!/^\d{11}$/u.test(snils)) err('signatorySnils', 'SNILS_FORMAT', 'SNILS must be 11 digits');
      else if (!isValidSnils(snils)) err('signatorySnils', 'SNILS_CHECK_DIGIT', `SNILS ${snilsText} has a wrong check number`);
    }
    signatory = { surname, givenName, position, snils };
  }

  for (const [key, value] of Object.entries(raw)) {
    // Control characters have no place in a directory record and cannot be written to XML 1.0.
    if (typeof value === 'string' && /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]/u.test(value)) {
      err(key, 'CONTROL_CHARACTER', `${key} contains a control character`);
    }
  }
  const known = new Set<string>(PARTICIPANT_COLUMNS);
  for (const key of Object.keys(raw)) if (!known.has(key)) err(key, 'UNKNOWN_FIELD', `${key} is not a participant field`);

  if (errors.length > 0 || category === undefined) return { ok: false, errors };
  return {
    ok: true,
    value: { id, kind, category, name, shortName, inn, ogrn, kpp, parentId, region, address, email, phone, deliveryMode, pushEndpoint, state, signatory },
  };
}

const signatoryJsonSchema = z.object({ surname: z.string(), givenName: z.string(), position: z.string(), snils: z.string() });

/** The stored row as a record (the signatory JSON parsed, defensively). */
export function recordFromRow(row: ParticipantRow): ParticipantRecord {
  let signatory: Signatory | null = null;
  if (row.signatoryJson !== null) {
    try {
      const parsed = signatoryJsonSchema.safeParse(JSON.parse(row.signatoryJson));
      if (parsed.success) signatory = parsed.data;
    } catch {
      signatory = null;
    }
  }
  return {
    id: row.id,
    kind: row.kind,
    category: (CATEGORY_CODES as readonly string[]).includes(row.category) ? (row.category as CategoryCode) : 'state-institution',
    name: row.name,
    shortName: row.shortName,
    inn: row.inn,
    ogrn: row.ogrn,
    kpp: row.kpp,
    parentId: row.parentId,
    region: row.region,
    address: row.address,
    email: row.email,
    phone: row.phone,
    deliveryMode: row.deliveryMode,
    pushEndpoint: row.pushEndpoint,
    state: row.state,
    signatory,
  };
}

/** A record flattened to its columns (text, '' for none): the inverse of {@link checkParticipantRecord}. */
export function recordToColumns(r: ParticipantRecord): Record<ParticipantColumn, string> {
  return {
    id: r.id,
    kind: r.kind,
    category: r.category,
    name: r.name,
    shortName: r.shortName,
    inn: r.inn,
    ogrn: r.ogrn,
    kpp: r.kpp ?? '',
    parentId: r.parentId ?? '',
    region: r.region ?? '',
    address: r.address ?? '',
    email: r.email ?? '',
    phone: r.phone ?? '',
    deliveryMode: r.deliveryMode,
    pushEndpoint: r.pushEndpoint ?? '',
    state: r.state,
    signatorySurname: r.signatory?.surname ?? '',
    signatoryGivenName: r.signatory?.givenName ?? '',
    signatoryPosition: r.signatory?.position ?? '',
    signatorySnils: r.signatory?.snils ?? '',
  };
}

/** The database values of a record (without timestamps). */
export function recordToRowValues(r: ParticipantRecord): Omit<ParticipantRow, 'createdAt' | 'updatedAt'> {
  return {
    id: r.id,
    kind: r.kind,
    category: r.category,
    name: r.name,
    shortName: r.shortName,
    inn: r.inn,
    ogrn: r.ogrn,
    kpp: r.kpp,
    parentId: r.parentId,
    region: r.region,
    address: r.address,
    email: r.email,
    phone: r.phone,
    deliveryMode: r.deliveryMode,
    pushEndpoint: r.pushEndpoint,
    state: r.state,
    signatoryJson: r.signatory === null ? null : JSON.stringify(r.signatory),
  };
}

/** What the API shows of a participant. */
export interface ParticipantView extends ParticipantRecord {
  createdAt: string;
  updatedAt: string;
}

export function participantView(row: ParticipantRow): ParticipantView {
  return { ...recordFromRow(row), createdAt: row.createdAt, updatedAt: row.updatedAt };
}
