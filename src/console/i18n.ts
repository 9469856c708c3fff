/**
 * Interface text of the console in Russian (the default: the users are Russian government staff)
 * and English, and date formatting in the user's time zone (ECMA-402 `Intl.DateTimeFormat`).
 */

export const LANGS = ['ru', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'ru';
/**
 * The region of the source material is Perm Krai (UTC+5). There is no IANA zone "Europe/Perm":
 * Perm keeps the time of Asia/Yekaterinburg, so that is the default, and the name users expect
 * is accepted as an alias of it.
 */
export const DEFAULT_TIME_ZONE = 'Asia/Yekaterinburg';
const TIME_ZONE_ALIASES: Readonly<Record<string, string>> = { 'Europe/Perm': 'Asia/Yekaterinburg' };

const EN = {
  appName: 'edx-gateway console',
  skip: 'Skip to content',
  navDashboard: 'Dashboard',
  navMessages: 'Messages',
  navDirectory: 'Directory',
  navCompose: 'Compose',
  navTokens: 'Tokens',
  navDelivery: 'Delivery report',
  navDiscipline: 'Executive discipline',
  navSettings: 'Settings',
  signedInAs: 'Signed in as',
  logout: 'Sign out',
  loginTitle: 'Sign in',
  loginToken: 'API token',
  loginHelp: 'Paste an API token issued to your organisation (administrator or participant).',
  loginSubmit: 'Sign in',
  loginFailed: 'The token is not valid, revoked, or its organisation is suspended.',
  language: 'Language',
  timeZone: 'Time zone',
  save: 'Save',
  settingsTitle: 'Settings',
  settingsSaved: 'Settings saved.',
  badTimeZone: 'Unknown time zone.',
  dashboardTitle: 'Dashboard',
  byState: 'Messages by state',
  state: 'State',
  count: 'Count',
  latency: 'Delivery latency',
  delivered: 'Delivered',
  averageLatency: 'Average latency',
  latencyUpTo: 'Up to',
  attention: 'Failures needing attention',
  overdueResponses: 'Responses overdue',
  expiring: 'Certificates expiring within 30 days',
  none: 'None.',
  participant: 'Participant',
  subject: 'Subject',
  notAfter: 'Valid until',
  daysLeft: 'Days left',
  messagesTitle: 'Messages',
  search: 'Search',
  regNumber: 'Registration number',
  sender: 'Sender',
  recipient: 'Recipient',
  senderHint: 'id or INN',
  anyState: 'any',
  dateFrom: 'From date',
  dateTo: 'To date',
  created: 'Created',
  next: 'Next page',
  first: 'First page',
  noMessages: 'No messages match.',
  messageTitle: 'Message',
  summary: 'Summary',
  kind: 'Kind',
  regDate: 'Registration date',
  responseDue: 'Response due',
  inReplyTo: 'In reply to',
  attempts: 'Push attempts',
  expires: 'Expires',
  downloadContainer: 'Download the container (ZIP)',
  timeline: 'Timeline',
  when: 'When',
  event: 'Event',
  actor: 'Actor',
  transition: 'Transition',
  files: 'Files',
  name: 'Name',
  role: 'Role',
  mediaType: 'Media type',
  size: 'Size, bytes',
  digest: 'Digest',
  signatures: 'Validation reports',
  path: 'Signature',
  indication: 'Indication',
  signer: 'Signer',
  chain: 'Chain',
  receipts: 'Receipts',
  evidence: 'Long-term evidence',
  evidenceHelp: 'Revocation data that decided the signatures\' status and signature time-stamps kept beside signatures that stay byte-identical: with the container they let the letter be verified again offline, years later (edx verify --evidence).',
  evidenceCrl: 'CRL',
  evidenceOcsp: 'OCSP response',
  evidenceTimestamp: 'Signature time-stamp',
  genTime: 'Time-stamp time',
  issuedBy: 'Issued by',
  issuedAt: 'Issued at',
  registration: 'Registration',
  reason: 'Reason',
  download: 'Download',
  directoryTitle: 'Directory',
  directoryHelp: 'Search by name, INN or OGRN.',
  query: 'Name, INN or OGRN',
  inn: 'INN',
  ogrn: 'OGRN',
  category: 'Category',
  found: 'Found',
  previous: 'Previous page',
  participantTitle: 'Participant',
  edit: 'Edit',
  shortName: 'Short name',
  kpp: 'KPP',
  region: 'Region',
  address: 'Address',
  email: 'E-mail',
  phone: 'Phone',
  saved: 'Saved.',
  certificates: 'Certificates',
  fingerprint: 'Fingerprint (SHA-256)',
  issuer: 'Issuer',
  qualified: 'Qualified',
  yes: 'yes',
  no: 'no',
  revoke: 'Revoke',
  revoked: 'revoked',
  active: 'active',
  uploadCertificate: 'Upload a certificate',
  certificateFile: 'Certificate file (PEM, DER or PKCS#7)',
  upload: 'Upload',
  uploaded: 'Certificate registered.',
  warnings: 'Warnings',
  tokensTitle: 'API tokens',
  issueToken: 'Issue a token',
  tokenName: 'Token name',
  participantId: 'Participant id',
  roles: 'Roles',
  issue: 'Issue',
  tokenShownOnce: 'The new token is shown once. Copy it now:',
  tokenRevoked: 'Token revoked.',
  createdAt: 'Created',
  revokedAt: 'Revoked',
  composeTitle: 'Compose a letter',
  recipients: 'Recipients',
  findRecipients: 'Find recipients (name or INN)',
  find: 'Find',
  documentKind: 'Document kind',
  signatoryName: 'Signatory (full name)',
  signatoryPosition: 'Signatory position',
  responseDueOptional: 'Response due (optional)',
  filesHelp: 'The first file is the main document; the others are attachments. They are signed with your organisation\'s hosted key.',
  send: 'Sign and send',
  sentTitle: 'Letter sent',
  sentText: 'New messages:',
  chooseRecipient: 'Choose at least one recipient.',
  attachFile: 'Attach at least one file.',
  deliveryTitle: 'Delivery report',
  disciplineTitle: 'Executive discipline report',
  period: 'Period',
  show: 'Show',
  exportCsv: 'Export CSV',
  sent: 'Sent',
  failed: 'Failed',
  avgLatency: 'Average latency, s',
  maxLatency: 'Maximum latency, s',
  perDay: 'Messages per day',
  overdue: 'Overdue',
  dueSoon: 'Due within 3 days',
  daysOverdue: 'Days overdue',
  perRecipient: 'Per recipient',
  letters: 'Letters',
  forbiddenTitle: 'Access denied',
  forbiddenText: 'Your token does not allow this page.',
  notFoundTitle: 'Not found',
  notFoundText: 'There is no such page, or it is not yours to see.',
  errorTitle: 'The request was refused',
  back: 'Back',
  total: 'Total',
  navTrust: 'Trust store',
  navAudit: 'Audit journal',
  trustTitle: 'Trust store',
  trustHelp: 'CA certificates whose chains the gateway accepts. Signatures chaining to an accredited (qualified) CA are qualified.',
  certSubject: 'Subject',
  anchorLabel: 'Label',
  anchorSource: 'Source',
  validity: 'Validity',
  addedAt: 'Added',
  addAnchor: 'Add a CA certificate',
  caFile: 'CA certificate file (PEM or DER)',
  anchorLabelOptional: 'Label (optional; the certificate name by default)',
  qualifiedCa: 'Accredited CA: signatures chaining to it are qualified',
  add: 'Add',
  remove: 'Remove',
  anchorAdded: 'Trust anchor added.',
  anchorRemoved: 'Trust anchor removed.',
  noAnchors: 'There are no trust anchors: no signature can be validated.',
  auditTitle: 'Audit journal',
  auditHelp: 'Every state change and administrative act, newest first. Each row is chained to the previous one by its hash.',
  eventType: 'Event type',
  messageId: 'Message id',
  filter: 'Filter',
  seq: 'No.',
  at: 'Time',
  details: 'Details',
  noEvents: 'No journal rows.',
  newest: 'Newest rows',
  verifyChain: 'Verify the chain',
  verifyTitle: 'Journal chain verification',
  chainOk: 'Journal OK',
  chainRows: 'Rows',
  lastHash: 'Last hash',
  chainBroken: 'Journal BROKEN',
  brokenRow: 'First bad row',
} as const;

export type TextKey = keyof typeof EN;

const RU: Record<TextKey, string> = {
  appName: 'Консоль шлюза edx',
  skip: 'Перейти к содержимому',
  navDashboard: 'Сводка',
  navMessages: 'Сообщения',
  navDirectory: 'Справочник',
  navCompose: 'Новое письмо',
  navTokens: 'Токены',
  navDelivery: 'Отчёт о доставке',
  navDiscipline: 'Исполнительская дисциплина',
  navSettings: 'Настройки',
  signedInAs: 'Вход выполнен:',
  logout: 'Выйти',
  loginTitle: 'Вход',
  loginToken: 'API-токен',
  loginHelp: 'Вставьте API-токен, выданный вашей организации (администратора или участника).',
  loginSubmit: 'Войти',
  loginFailed: 'Токен недействителен, отозван или организация приостановлена.',
  language: 'Язык',
  timeZone: 'Часовой пояс',
  save: 'Сохранить',
  settingsTitle: 'Настройки',
  settingsSaved: 'Настройки сохранены.',
  badTimeZone: 'Неизвестный часовой пояс.',
  dashboardTitle: 'Сводка',
  byState: 'Сообщения по состояниям',
  state: 'Состояние',
  count: 'Количество',
  latency: 'Время доставки',
  delivered: 'Доставлено',
  averageLatency: 'Среднее время доставки',
  latencyUpTo: 'До',
  attention: 'Сбои, требующие внимания',
  overdueResponses: 'Просрочено ответов',
  expiring: 'Сертификаты, истекающие в ближайшие 30 дней',
  none: 'Нет.',
  participant: 'Участник',
  subject: 'Тема',
  notAfter: 'Действует до',
  daysLeft: 'Осталось дней',
  messagesTitle: 'Сообщения',
  search: 'Найти',
  regNumber: 'Регистрационный номер',
  sender: 'Отправитель',
  recipient: 'Получатель',
  senderHint: 'идентификатор или ИНН',
  anyState: 'любое',
  dateFrom: 'С даты',
  dateTo: 'По дату',
  created: 'Создано',
  next: 'Следующая страница',
  first: 'Первая страница',
  noMessages: 'Сообщений не найдено.',
  messageTitle: 'Сообщение',
  summary: 'Сведения',
  kind: 'Вид',
  regDate: 'Дата регистрации',
  responseDue: 'Срок ответа',
  inReplyTo: 'В ответ на',
  attempts: 'Попыток отправки',
  expires: 'Истекает',
  downloadContainer: 'Скачать контейнер (ZIP)',
  timeline: 'Хронология',
  when: 'Когда',
  event: 'Событие',
  actor: 'Кто',
  transition: 'Переход',
  files: 'Файлы',
  name: 'Наименование',
  role: 'Роль',
  mediaType: 'Тип',
  size: 'Размер, байт',
  digest: 'Хеш',
  signatures: 'Протоколы проверки подписей',
  path: 'Подпись',
  indication: 'Результат',
  signer: 'Подписант',
  chain: 'Цепочка',
  receipts: 'Квитанции',
  evidence: 'Доказательства для долгосрочной проверки',
  evidenceHelp: 'Данные об отзыве, по которым проверялись подписи, и штампы времени подписей, хранимые рядом с неизменяемыми подписями: вместе с контейнером они позволяют проверить письмо заново без сети и через годы (edx verify --evidence).',
  evidenceCrl: 'СОС (CRL)',
  evidenceOcsp: 'Ответ OCSP',
  evidenceTimestamp: 'Штамп времени подписи',
  genTime: 'Время штампа',
  issuedBy: 'Кем выдана',
  issuedAt: 'Когда выдана',
  registration: 'Регистрация',
  reason: 'Причина',
  download: 'Скачать',
  directoryTitle: 'Справочник участников',
  directoryHelp: 'Поиск по наименованию, ИНН или ОГРН.',
  query: 'Наименование, ИНН или ОГРН',
  inn: 'ИНН',
  ogrn: 'ОГРН',
  category: 'Категория',
  found: 'Найдено',
  previous: 'Предыдущая страница',
  participantTitle: 'Участник',
  edit: 'Изменить',
  shortName: 'Краткое наименование',
  kpp: 'КПП',
  region: 'Регион',
  address: 'Адрес',
  email: 'Эл. почта',
  phone: 'Телефон',
  saved: 'Сохранено.',
  certificates: 'Сертификаты',
  fingerprint: 'Отпечаток (SHA-256)',
  issuer: 'Издатель',
  qualified: 'Квалифицированный',
  yes: 'да',
  no: 'нет',
  revoke: 'Отозвать',
  revoked: 'отозван',
  active: 'действует',
  uploadCertificate: 'Загрузить сертификат',
  certificateFile: 'Файл сертификата (PEM, DER или PKCS#7)',
  upload: 'Загрузить',
  uploaded: 'Сертификат зарегистрирован.',
  warnings: 'Предупреждения',
  tokensTitle: 'API-токены',
  issueToken: 'Выпустить токен',
  tokenName: 'Название токена',
  participantId: 'Идентификатор участника',
  roles: 'Роли',
  issue: 'Выпустить',
  tokenShownOnce: 'Новый токен показывается один раз. Скопируйте его сейчас:',
  tokenRevoked: 'Токен отозван.',
  createdAt: 'Создан',
  revokedAt: 'Отозван',
  composeTitle: 'Новое письмо',
  recipients: 'Получатели',
  findRecipients: 'Найти получателей (наименование или ИНН)',
  find: 'Найти',
  documentKind: 'Вид документа',
  signatoryName: 'Подписант (ФИО)',
  signatoryPosition: 'Должность подписанта',
  responseDueOptional: 'Срок ответа (необязательно)',
  filesHelp: 'Первый файл — основной документ, остальные — приложения. Файлы подписываются ключом вашей организации, хранящимся в шлюзе.',
  send: 'Подписать и отправить',
  sentTitle: 'Письмо отправлено',
  sentText: 'Новые сообщения:',
  chooseRecipient: 'Выберите хотя бы одного получателя.',
  attachFile: 'Приложите хотя бы один файл.',
  deliveryTitle: 'Отчёт о доставке',
  disciplineTitle: 'Отчёт об исполнительской дисциплине',
  period: 'Период',
  show: 'Показать',
  exportCsv: 'Выгрузить CSV',
  sent: 'Отправлено',
  failed: 'Не доставлено',
  avgLatency: 'Среднее время доставки, с',
  maxLatency: 'Наибольшее время доставки, с',
  perDay: 'Сообщений в день',
  overdue: 'Просрочено',
  dueSoon: 'Срок в ближайшие 3 дня',
  daysOverdue: 'Дней просрочки',
  perRecipient: 'По получателям',
  letters: 'Письма',
  forbiddenTitle: 'Доступ запрещён',
  forbiddenText: 'Ваш токен не даёт доступа к этой странице.',
  notFoundTitle: 'Не найдено',
  notFoundText: 'Такой страницы нет, или она вам недоступна.',
  errorTitle: 'Запрос отклонён',
  back: 'Назад',
  total: 'Всего',
  navTrust: 'Доверенные УЦ',
  navAudit: 'Журнал аудита',
  trustTitle: 'Доверенные удостоверяющие центры',
  trustHelp: 'Сертификаты УЦ, цепочки к которым шлюз принимает. Подписи с цепочкой к аккредитованному (квалифицированному) УЦ считаются квалифицированными.',
  certSubject: 'Владелец (субъект)',
  anchorLabel: 'Метка',
  anchorSource: 'Источник',
  validity: 'Срок действия',
  addedAt: 'Добавлен',
  addAnchor: 'Добавить сертификат УЦ',
  caFile: 'Файл сертификата УЦ (PEM или DER)',
  anchorLabelOptional: 'Метка (необязательно; по умолчанию имя из сертификата)',
  qualifiedCa: 'Аккредитованный УЦ: подписи с цепочкой к нему квалифицированные',
  add: 'Добавить',
  remove: 'Удалить',
  anchorAdded: 'Доверенный УЦ добавлен.',
  anchorRemoved: 'Доверенный УЦ удалён.',
  noAnchors: 'Доверенных УЦ нет: ни одну подпись проверить нельзя.',
  auditTitle: 'Журнал аудита',
  auditHelp: 'Все изменения состояний и действия администраторов, сначала новые. Каждая запись связана с предыдущей хешем.',
  eventType: 'Тип события',
  messageId: 'Идентификатор сообщения',
  filter: 'Отобрать',
  seq: '№',
  at: 'Время',
  details: 'Подробности',
  noEvents: 'Записей нет.',
  newest: 'Самые новые записи',
  verifyChain: 'Проверить цепочку',
  verifyTitle: 'Проверка цепочки журнала',
  chainOk: 'Журнал цел',
  chainRows: 'Записей',
  lastHash: 'Последний хеш',
  chainBroken: 'Журнал НАРУШЕН',
  brokenRow: 'Первая испорченная запись',
};

const STATE_NAMES: Record<Lang, Record<string, string>> = {
  en: { accepted: 'accepted', queued: 'queued', retrying: 'retrying', delivered: 'delivered', registered: 'registered', refused: 'refused', answered: 'answered', failed: 'failed' },
  ru: { accepted: 'принято', queued: 'в очереди', retrying: 'повтор отправки', delivered: 'доставлено', registered: 'зарегистрировано', refused: 'отказано', answered: 'дан ответ', failed: 'не доставлено' },
};

const KIND_NAMES: Record<Lang, Record<string, string>> = {
  en: { letter: 'letter', reply: 'reply', appeal: "citizen's appeal", request: 'request', notice: 'notice' },
  ru: { letter: 'письмо', reply: 'ответ', appeal: 'обращение гражданина', request: 'запрос', notice: 'уведомление' },
};

/** The text table of a language. */
export function texts(lang: Lang): Readonly<Record<TextKey, string>> {
  return lang === 'en' ? EN : RU;
}

export function stateName(lang: Lang, state: string): string {
  return STATE_NAMES[lang][state] ?? state;
}

export function kindName(lang: Lang, kind: string): string {
  return KIND_NAMES[lang][kind] ?? kind;
}

export function isLang(value: unknown): value is Lang {
  return value === 'ru' || value === 'en';
}

/**
 * The IANA time zone named by `tz` (an alias resolved), or undefined when this runtime does not
 * know it (ECMA-402 rejects unknown zones with a RangeError).
 */
export function canonicalTimeZone(tz: string): string | undefined {
  if (tz.length === 0 || tz.length > 64) return undefined;
  const name = TIME_ZONE_ALIASES[tz] ?? tz;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export function isTimeZone(tz: string): boolean {
  return canonicalTimeZone(tz) !== undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: Lang, tz: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${lang}|${tz}|${withTime ? 't' : 'd'}`;
  let f = formatters.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat(lang === 'ru' ? 'ru-RU' : 'en-GB', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' as const } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

/** An ISO 8601 instant shown as a local date and time in `tz`. Unparseable input is shown as is. */
export function formatDateTime(iso: string | null, lang: Lang, tz: string): string {
  if (iso === null) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : formatter(lang, tz, true).format(d);
}

/** A calendar date (YYYY-MM-DD, no time zone: a registration date or a deadline) in the language's order. */
export function formatCalendarDate(date: string | null, lang: Lang): string {
  if (date === null) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(date);
  if (m === null) return date;
  return lang === 'ru' ? `${m[3]}.${m[2]}.${m[1]}` : `${m[3]}/${m[2]}/${m[1]}`;
}

/** Offset of `tz` from UTC at `at`, in milliseconds (positive east of Greenwich). */
export function zoneOffsetMs(at: Date, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(at);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant local midnight of calendar date `date` (YYYY-MM-DD) begins in `tz`. */
export function startOfLocalDay(date: string, tz: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(date);
  if (m === null) return undefined;
  const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(guess)) return undefined;
  // Two rounds settle the offset across a DST change.
  let t = guess - zoneOffsetMs(new Date(guess), tz);
  t = guess - zoneOffsetMs(new Date(t), tz);
  return new Date(t);
}

/** Today's calendar date (YYYY-MM-DD) in `tz`. */
export function localDate(at: Date, tz: string): string {
  return new Date(at.getTime() + zoneOffsetMs(at, tz)).toISOString().slice(0, 10);
}

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  return new Date(d.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}
