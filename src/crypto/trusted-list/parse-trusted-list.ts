/**
 * Reads an ETSI TS 119 612 (v2.x, TSLVersionIdentifier 5 or 6) TrustServiceStatusList from an already
 * verified document tree: scheme information and every TSP service with its digital identities.
 * Only what the gateway acts on is read; the rest of the schema (extensions, history, pointers to
 * other lists) is ignored, not validated.
 */
import { childrenNamed, directText, XML_NAMESPACE, type XmlDocument, type XmlElement } from '../xmldsig/index.ts';

/** TS 119 612 Annex C: the namespace of the list itself. */
export const TSL_NS = 'http://uri.etsi.org/02231/v2#';
/** TS 119 612 §5.5.1.1: a CA issuing qualified certificates. */
export const SERVICE_TYPE_CA_QC = 'http://uri.etsi.org/TrstSvc/Svctype/CA/QC';
/** TS 119 612 §5.5.4 (EU, v5): the service is granted a qualified status. */
export const SERVICE_STATUS_GRANTED = 'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted';

/**
 * TSLVersionIdentifier values read: 5 (TS 119 612 v2.1–v2.2, the EU template since 2015) and 6
 * (TS 119 612 v2.3+, which Commission Implementing Decision (EU) 2025/2164 moves the EU template
 * to). Both keep the namespace and every element read here; version 4 and older lists differ.
 */
export const SUPPORTED_VERSIONS: readonly number[] = [5, 6];

export interface TrustedListService {
  tspName: string;
  serviceName: string;
  serviceType: string;
  status: string;
  statusStartingTime: string;
  /** DER of every ServiceDigitalIdentity/DigitalId/X509Certificate (base64 of a DER SEQUENCE; not parsed further). */
  certificates: Buffer[];
  /** DigitalId X509Certificate values that are not base64 of a DER SEQUENCE. */
  unreadableCertificates: number;
  /** CA/QC with status granted: its certificates are qualified trust anchors. */
  qualified: boolean;
}

export interface TrustedList {
  versionIdentifier: number;
  sequenceNumber: number;
  /** SchemeTerritory: ISO 3166-1 alpha-2 country code, or 'EU' for the list of the lists. */
  territory: string;
  operatorName: string;
  /** ListIssueDateTime, ISO 8601 UTC. */
  issued: string;
  /** NextUpdate/dateTime, ISO 8601 UTC; null when the list is closed (§5.3.15: no next update). */
  nextUpdate: string | null;
  services: TrustedListService[];
}

export type ParseTrustedListResult = { ok: true; value: TrustedList } | { ok: false; error: { code: 'TL_NOT_A_TRUSTED_LIST' | 'TL_INVALID' | 'TL_UNSUPPORTED_VERSION'; message: string } };

class Invalid extends Error {}

function one(parent: XmlElement, name: string): XmlElement {
  const found = childrenNamed(parent, TSL_NS, name);
  const el = found[0];
  if (el === undefined || found.length > 1) throw new Invalid(`${parent.localName} must hold exactly one ${name}`);
  return el;
}

function optional(parent: XmlElement, name: string): XmlElement | undefined {
  const found = childrenNamed(parent, TSL_NS, name);
  if (found.length > 1) throw new Invalid(`${parent.localName} holds ${name} more than once`);
  return found[0];
}

function textOf(el: XmlElement): string {
  return directText(el).trim();
}

/** A multilingual name (TS 119 612 §5.1.4): the English one if there is one, else the first. */
function multilingual(el: XmlElement): string {
  const names = childrenNamed(el, TSL_NS, 'Name');
  if (names.length === 0) throw new Invalid(`${el.localName} holds no Name`);
  const lang = (n: XmlElement): string | undefined => n.attributes.find((a) => a.namespaceURI === XML_NAMESPACE && a.localName === 'lang')?.value;
  const chosen = names.find((n) => lang(n)?.toLowerCase() === 'en') ?? names[0];
  return chosen === undefined ? '' : textOf(chosen);
}

/** xsd:dateTime as TS 119 612 §5.1.4 requires it (UTC); returned as ISO 8601 with milliseconds. */
function dateTime(el: XmlElement): string {
  const s = textOf(el);
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/u.exec(s);
  const t = m === null ? Number.NaN : Date.parse(s);
  if (Number.isNaN(t)) throw new Invalid(`${el.localName} is not an xsd:dateTime with a time zone: ${s.slice(0, 40)}`);
  return new Date(t).toISOString();
}

function nonNegativeInteger(el: XmlElement): number {
  const s = textOf(el);
  if (!/^\d{1,15}$/u.test(s)) throw new Invalid(`${el.localName} is not a non-negative integer`);
  return Number(s);
}

/**
 * The content of a TS 119 612 v5/v6 list (§5.3 scheme information, §5.4 TSP information, §5.5
 * service information). `document` must already be signature-verified: this function trusts the
 * tree it reads and only checks its shape.
 */
export function parseTrustedList(document: XmlDocument): ParseTrustedListResult {
  const root = document.root;
  if (root.namespaceURI !== TSL_NS || root.localName !== 'TrustServiceStatusList') {
    return { ok: false, error: { code: 'TL_NOT_A_TRUSTED_LIST', message: `the document element is {${root.namespaceURI ?? ''}}${root.localName}, not a TS 119 612 TrustServiceStatusList` } };
  }
  try {
    const info = one(root, 'SchemeInformation');
    const versionIdentifier = nonNegativeInteger(one(info, 'TSLVersionIdentifier'));
    if (!SUPPORTED_VERSIONS.includes(versionIdentifier)) {
      return { ok: false, error: { code: 'TL_UNSUPPORTED_VERSION', message: `TSLVersionIdentifier ${versionIdentifier}: only versions ${SUPPORTED_VERSIONS.join(' and ')} are supported` } };
    }
    const territory = textOf(one(info, 'SchemeTerritory'));
    if (!/^[A-Z]{2}$/u.test(territory)) throw new Invalid(`SchemeTerritory ${territory.slice(0, 20)} is not a two-letter code`);
    const next = one(info, 'NextUpdate');
    const nextDate = optional(next, 'dateTime');
    const services: TrustedListService[] = [];
    const providers = optional(root, 'TrustServiceProviderList');
    for (const tsp of providers === undefined ? [] : childrenNamed(providers, TSL_NS, 'TrustServiceProvider')) {
      const tspName = multilingual(one(one(tsp, 'TSPInformation'), 'TSPName'));
      for (const svc of childrenNamed(one(tsp, 'TSPServices'), TSL_NS, 'TSPService')) {
        services.push(service(tspName, one(svc, 'ServiceInformation')));
      }
    }
    return {
      ok: true,
      value: {
        versionIdentifier,
        sequenceNumber: nonNegativeInteger(one(info, 'TSLSequenceNumber')),
        territory,
        operatorName: multilingual(one(info, 'SchemeOperatorName')),
        issued: dateTime(one(info, 'ListIssueDateTime')),
        nextUpdate: nextDate === undefined ? null : dateTime(nextDate),
        services,
      },
    };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: { code: 'TL_INVALID', message: error.message } };
    throw error;
  }
}

function service(tspName: string, info: XmlElement): TrustedListService {
  const serviceType = textOf(one(info, 'ServiceTypeIdentifier'));
  const status = textOf(one(info, 'ServiceStatus'));
  const certificates: Buffer[] = [];
  let unreadableCertificates = 0;
  for (const id of childrenNamed(one(info, 'ServiceDigitalIdentity'), TSL_NS, 'DigitalId')) {
    for (const c of childrenNamed(id, TSL_NS, 'X509Certificate')) {
      const b64 = directText(c).replace(/[ \t\r\n]+/gu, '');
      const der = /^[A-Za-z0-9+/]+={0,2}$/u.test(b64) ? Buffer.from(b64, 'base64') : undefined;
      // Only the DER SEQUENCE shape is checked here: parsing thousands of certificates nobody
      // imports (withdrawn, other service types) would cost seconds on a large national list.
      if (der !== undefined && der.length > 16 && der[0] === 0x30) certificates.push(der);
      else unreadableCertificates += 1;
    }
  }
  return {
    tspName,
    serviceName: multilingual(one(info, 'ServiceName')),
    serviceType,
    status,
    statusStartingTime: dateTime(one(info, 'StatusStartingTime')),
    certificates,
    unreadableCertificates,
    qualified: serviceType === SERVICE_TYPE_CA_QC && status === SERVICE_STATUS_GRANTED,
  };
}
