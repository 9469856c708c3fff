/**
 * Generates `fixtures/directory.json`: the SYNTHETIC directory seed — 734 government addressees
 * in the categories of the source material (seeds/000_e3e144dc034cd7d6.txt: 31 urban and 206 rural
 * settlements, 25 representative bodies, 11 control-accounting chambers, ...) plus demo enterprises.
 *
 * Names follow the administrative structure of Perm Krai; every identifier, person, contact and
 * endpoint is generated. The output is deterministic (a seeded PRNG below, no Math.random), so a
 * re-run reproduces the committed file byte for byte.
 *
 * Usage: node --import tsx scripts/generate-directory.ts [output-path]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  completeInnLegalEntity,
  completeOgrn,
  completeSnils,
} from '../src/identifiers/index.ts';
import { parseDirectoryFixture } from '../src/directory/fixture/index.ts';
import type { CategoryCode, DirectoryEntry, DirectoryFixture } from '../src/directory/fixture/index.ts';

const GOVERNMENT_TOTAL = 734;
const SEED = 0x5901_0734;

// ---------------------------------------------------------------- deterministic randomness

/** mulberry32: tiny, well-mixed 32-bit PRNG; quality is ample for fixture data. */
function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = createRandom(SEED);

function int(min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`index ${index} out of range (${items.length})`);
  return item;
}

function pick<T>(items: readonly T[]): T {
  return at(items, int(0, items.length - 1));
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = int(0, i);
    const a = at(out, i);
    out[i] = at(out, j);
    out[j] = a;
  }
  return out;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

// ---------------------------------------------------------------- language helpers

const TRANSLIT: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y',
  к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f',
  х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
};

function slugify(russian: string): string {
  const latin = Array.from(russian.toLowerCase(), (c) => TRANSLIT[c] ?? (/[a-z0-9]/.test(c) ? c : '-')).join('');
  return latin.replace(/-+/g, '-').replace(/^-|-$/g, '').replace(/iy$/, 'y');
}

/** Masculine adjective (Ильинский, Чусовской) in the genitive (Ильинского). */
function adjGenitive(adj: string): string {
  return adj.replace(/(ий|ой)$/, 'ого');
}

/** Masculine adjective in the feminine (Ильинская). */
function adjFeminine(adj: string): string {
  return adj.replace(/(ий|ой)$/, 'ая');
}

// ---------------------------------------------------------------- identifiers and contacts

let serial = 0;

/** INN/OGRN from one serial under a tax-office code (5999) and record prefix chosen for fixtures. */
function nextIdentifiers(): { inn: string; ogrn: string; kpp: string } {
  serial += 1;
  const year = pick(['02', '03', '05', '07', '11', '15', '19']);
  const inn = completeInnLegalEntity(`5999${pad(serial, 5)}`);
  const ogrn = completeOgrn(`1${year}5999${pad(serial, 5)}`);
  return { inn, ogrn, kpp: `${inn.slice(0, 4)}01001` };
}

let snilsSerial = 0;

function nextSnils(): string {
  snilsSerial += 1;
  // 1122 + 5xxxx keeps clear of the demo participants' 112233401..404.
  return completeSnils(`1122${pad(50000 + snilsSerial, 5)}`);
}

const STREETS = [
  'ул. Ленина', 'ул. Советская', 'ул. Мира', 'ул. Центральная', 'ул. Кирова', 'ул. Пушкина',
  'ул. Молодёжная', 'ул. Школьная', 'ул. Гагарина', 'ул. Комсомольская', 'ул. Садовая',
  'ул. Набережная', 'ул. Октябрьская', 'ул. Заводская', 'ул. Луговая', 'ул. Лесная',
] as const;

function street(): string {
  return `${pick(STREETS)}, д. ${int(1, 120)}`;
}

function permAddress(): string {
  return `614${pad(int(0, 99), 3)}, Пермский край, г. Пермь, ${street()}`;
}

function phone(): string {
  return `+7 342 ${int(200, 299)}-${pad(int(0, 99), 2)}-${pad(int(0, 99), 2)}`;
}

/** About one addressee in eight runs its own EDMS endpoint; the rest pull their inbox. */
function delivery(id: string): DirectoryEntry['delivery'] {
  return random() < 0.125 ? { mode: 'push', endpoint: `https://edms.${id}.example/edx/inbox` } : { mode: 'pull' };
}

const MALE_NAMES = [
  'Александр', 'Алексей', 'Андрей', 'Дмитрий', 'Евгений', 'Игорь', 'Константин', 'Михаил',
  'Николай', 'Олег', 'Павел', 'Роман', 'Сергей', 'Юрий', 'Владимир', 'Виктор',
] as const;
const FEMALE_NAMES = [
  'Анна', 'Елена', 'Ирина', 'Марина', 'Наталья', 'Ольга', 'Светлана', 'Татьяна', 'Юлия',
  'Екатерина', 'Людмила', 'Галина',
] as const;
const PATRONYMICS: readonly (readonly [string, string])[] = [
  ['Александрович', 'Александровна'], ['Алексеевич', 'Алексеевна'], ['Андреевич', 'Андреевна'],
  ['Владимирович', 'Владимировна'], ['Викторович', 'Викторовна'], ['Геннадьевич', 'Геннадьевна'],
  ['Дмитриевич', 'Дмитриевна'], ['Иванович', 'Ивановна'], ['Михайлович', 'Михайловна'],
  ['Николаевич', 'Николаевна'], ['Петрович', 'Петровна'], ['Сергеевич', 'Сергеевна'], ['Юрьевич', 'Юрьевна'],
];
const SURNAMES = [
  'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Соколов', 'Михайлов', 'Новиков', 'Фёдоров', 'Морозов',
  'Волков', 'Алексеев', 'Лебедев', 'Семёнов', 'Егоров', 'Павлов', 'Козлов', 'Степанов', 'Николаев',
  'Орлов', 'Андреев', 'Макаров', 'Никитин', 'Захаров', 'Зайцев', 'Соловьёв', 'Борисов', 'Яковлев',
  'Григорьев', 'Романов', 'Воробьёв', 'Сергеев', 'Кузьмин', 'Фролов', 'Александров', 'Дмитриев',
  'Королёв', 'Гусев', 'Киселёв', 'Ильин', 'Максимов', 'Поляков', 'Сорокин', 'Виноградов', 'Ковалёв',
  'Белов', 'Медведев', 'Антонов', 'Тарасов', 'Жуков', 'Баранов',
] as const;

function signatory(position: string): DirectoryEntry['signatory'] {
  const female = random() < 0.45;
  const [male, fem] = pick(PATRONYMICS);
  const surname = pick(SURNAMES);
  return {
    surname: female ? `${surname}а` : surname,
    givenName: `${female ? pick(FEMALE_NAMES) : pick(MALE_NAMES)} ${female ? fem : male}`,
    position,
    snils: nextSnils(),
  };
}

// ---------------------------------------------------------------- participants

const participants: DirectoryEntry[] = [];

interface Draft {
  id: string;
  category: CategoryCode;
  name: string;
  shortName: string;
  parentId: string | null;
  address: string;
  position: string;
}

function government(d: Draft): DirectoryEntry {
  const ids = nextIdentifiers();
  const entry: DirectoryEntry = {
    id: d.id,
    kind: 'government',
    category: d.category,
    name: d.name,
    shortName: d.shortName,
    ...ids,
    parentId: d.parentId,
    region: '59',
    address: d.address,
    email: `office@${d.id}.example`,
    phone: phone(),
    delivery: delivery(d.id),
    signatory: signatory(d.position),
  };
  participants.push(entry);
  return entry;
}

interface DemoParticipant {
  id: string;
  kind: 'government' | 'enterprise';
  name: string;
  inn: string;
  ogrn: string;
  signatory: DirectoryEntry['signatory'];
}

const DEMO_FILE = fileURLToPath(new URL('../fixtures/demo-participants.json', import.meta.url));
const demo = new Map<string, DemoParticipant>(
  (JSON.parse(readFileSync(DEMO_FILE, 'utf8')) as DemoParticipant[]).map((p) => [p.id, p]),
);

function demoParticipant(id: string): DemoParticipant {
  const p = demo.get(id);
  if (p === undefined) throw new Error(`${DEMO_FILE} has no participant ${id}`);
  return p;
}

/** A participant of fixtures/demo-participants.json, kept identical in id/kind/name/INN/OGRN/signatory. */
function fromDemo(
  id: string,
  extra: { category: CategoryCode; shortName: string; parentId: string | null; address: string; delivery: DirectoryEntry['delivery'] },
): DirectoryEntry {
  const p = demoParticipant(id);
  const entry: DirectoryEntry = {
    id: p.id,
    kind: p.kind,
    category: extra.category,
    name: p.name,
    shortName: extra.shortName,
    inn: p.inn,
    ogrn: p.ogrn,
    kpp: `${p.inn.slice(0, 4)}01001`,
    parentId: extra.parentId,
    region: '59',
    address: extra.address,
    email: `office@${p.id}.example`,
    phone: phone(),
    delivery: extra.delivery,
    signatory: { ...p.signatory },
  };
  participants.push(entry);
  return entry;
}

// Governor's Administration and the Government Office.
const GOVERNMENT_ID = 'gov-government';
const GOVERNOR_ADMINISTRATION: readonly (readonly [string, string, string, string])[] = [
  [GOVERNMENT_ID, 'Правительство Пермского края', 'Правительство ПК', 'Председатель Правительства'],
  ['gov-governor-admin', 'Администрация губернатора Пермского края', 'Администрация губернатора ПК', 'Руководитель Администрации губернатора'],
  ['gov-apparatus', 'Аппарат Правительства Пермского края', 'Аппарат Правительства ПК', 'Руководитель Аппарата Правительства'],
];
for (const [id, name, shortName, position] of GOVERNOR_ADMINISTRATION) {
  government({ id, category: 'governor-administration', name, shortName, parentId: id === GOVERNMENT_ID ? null : GOVERNMENT_ID, address: permAddress(), position });
}

// Executive bodies of the region; the demo ministry stands in for industry and trade.
fromDemo('gov-minprom', {
  category: 'regional-executive',
  shortName: 'Минпромторг (демо)',
  parentId: GOVERNMENT_ID,
  address: permAddress(),
  delivery: { mode: 'pull' },
});
const MINISTER = 'Министр';
const AGENCY_HEAD = 'Руководитель агентства';
const INSPECTION_HEAD = 'Начальник инспекции';
const REGIONAL_EXECUTIVE: readonly (readonly [string, string, string, string])[] = [
  ['gov-mineconomy', 'Министерство экономического развития и инвестиций Пермского края', 'Минэкономразвития ПК', MINISTER],
  ['gov-minfin', 'Министерство финансов Пермского края', 'Минфин ПК', MINISTER],
  ['gov-minobr', 'Министерство образования и науки Пермского края', 'Минобрнауки ПК', MINISTER],
  ['gov-minzdrav', 'Министерство здравоохранения Пермского края', 'Минздрав ПК', MINISTER],
  ['gov-minsoc', 'Министерство труда и социального развития Пермского края', 'Минсоцразвития ПК', MINISTER],
  ['gov-minkult', 'Министерство культуры Пермского края', 'Минкультуры ПК', MINISTER],
  ['gov-minsport', 'Министерство физической культуры и спорта Пермского края', 'Минспорт ПК', MINISTER],
  ['gov-mintrans', 'Министерство транспорта Пермского края', 'Минтранс ПК', MINISTER],
  ['gov-minstroy', 'Министерство строительства Пермского края', 'Минстрой ПК', MINISTER],
  ['gov-mingkh', 'Министерство жилищно-коммунального хозяйства и благоустройства Пермского края', 'МинЖКХ ПК', MINISTER],
  ['gov-minprirody', 'Министерство природных ресурсов, лесного хозяйства и экологии Пермского края', 'Минприроды ПК', MINISTER],
  ['gov-minselkhoz', 'Министерство агропромышленного комплекса Пермского края', 'Минсельхоз ПК', MINISTER],
  ['gov-minterr', 'Министерство территориального развития Пермского края', 'Минтерразвития ПК', MINISTER],
  ['gov-minsvyaz', 'Министерство информационного развития и связи Пермского края', 'Минсвязи ПК', MINISTER],
  ['gov-minimushchestvo', 'Министерство по управлению имуществом и градостроительной деятельности Пермского края', 'Минимущество ПК', MINISTER],
  ['gov-mintarif', 'Министерство тарифного регулирования и энергетики Пермского края', 'Минтариф ПК', MINISTER],
  ['gov-minturizm', 'Министерство по туризму Пермского края', 'Минтуризм ПК', MINISTER],
  ['gov-minmolodezh', 'Министерство по делам молодёжи Пермского края', 'Минмолодёжи ПК', MINISTER],
  ['gov-minvnutpolitiki', 'Министерство внутренней политики Пермского края', 'Минвнутполитики ПК', MINISTER],
  ['gov-minbezopasnosti', 'Министерство общественной безопасности Пермского края', 'Минобщбезопасности ПК', MINISTER],
  ['gov-agency-archives', 'Агентство по делам архивов Пермского края', 'Архивное агентство ПК', AGENCY_HEAD],
  ['gov-agency-employment', 'Агентство по занятости населения Пермского края', 'Агентство занятости ПК', AGENCY_HEAD],
  ['gov-agency-institutions', 'Агентство по управлению государственными учреждениями Пермского края', 'АУГУ ПК', AGENCY_HEAD],
  ['gov-agency-courts', 'Агентство по обеспечению деятельности мировых судей Пермского края', 'Агентство мировых судей ПК', AGENCY_HEAD],
  ['gov-agency-investments', 'Агентство инвестиционного развития Пермского края', 'АИР ПК', AGENCY_HEAD],
  ['gov-agency-business', 'Агентство по развитию малого и среднего предпринимательства Пермского края', 'Агентство МСП ПК', AGENCY_HEAD],
  ['gov-insp-housing', 'Инспекция государственного жилищного надзора Пермского края', 'ИГЖН ПК', INSPECTION_HEAD],
  ['gov-insp-construction', 'Инспекция государственного строительного надзора Пермского края', 'Госстройнадзор ПК', INSPECTION_HEAD],
  ['gov-insp-gostekhnadzor', 'Инспекция государственного технического надзора Пермского края', 'Гостехнадзор ПК', INSPECTION_HEAD],
  ['gov-insp-heritage', 'Государственная инспекция по охране объектов культурного наследия Пермского края', 'Инспекция по охране ОКН ПК', INSPECTION_HEAD],
  ['gov-insp-vet', 'Государственная ветеринарная инспекция Пермского края', 'Госветинспекция ПК', INSPECTION_HEAD],
  ['gov-insp-ecology', 'Инспекция по экологии и природопользованию Пермского края', 'Инспекция по экологии ПК', INSPECTION_HEAD],
  ['gov-zags', 'Комитет записи актов гражданского состояния Пермского края', 'Комитет ЗАГС ПК', 'Председатель комитета'],
  ['gov-control', 'Контрольный комитет Пермского края', 'Контрольный комитет ПК', 'Председатель комитета'],
];
for (const [id, name, shortName, position] of REGIONAL_EXECUTIVE) {
  government({ id, category: 'regional-executive', name, shortName, parentId: GOVERNMENT_ID, address: permAddress(), position });
}

// Territorial bodies of federal executive bodies (and the prosecutor's offices) in the region.
const HEAD = 'Руководитель';
const PROSECUTOR_KRAI = 'fed-prok-krai';
const FEDERAL: readonly (readonly [string, string, string, string])[] = [
  ['fed-rospotrebnadzor', 'Управление Федеральной службы по надзору в сфере защиты прав потребителей и благополучия человека по Пермскому краю', 'Управление Роспотребнадзора по Пермскому краю', HEAD],
  ['fed-rosselkhoznadzor', 'Управление Федеральной службы по ветеринарному и фитосанитарному надзору по Пермскому краю', 'Управление Россельхознадзора по Пермскому краю', HEAD],
  ['fed-rosreestr', 'Управление Федеральной службы государственной регистрации, кадастра и картографии по Пермскому краю', 'Управление Росреестра по Пермскому краю', HEAD],
  ['fed-fns', 'Управление Федеральной налоговой службы по Пермскому краю', 'УФНС России по Пермскому краю', HEAD],
  ['fed-mvd', 'Главное управление Министерства внутренних дел Российской Федерации по Пермскому краю', 'ГУ МВД России по Пермскому краю', 'Начальник'],
  ['fed-mchs', 'Главное управление Министерства Российской Федерации по делам гражданской обороны, чрезвычайным ситуациям и ликвидации последствий стихийных бедствий по Пермскому краю', 'ГУ МЧС России по Пермскому краю', 'Начальник'],
  ['fed-fsin', 'Главное управление Федеральной службы исполнения наказаний по Пермскому краю', 'ГУФСИН России по Пермскому краю', 'Начальник'],
  ['fed-minjust', 'Управление Министерства юстиции Российской Федерации по Пермскому краю', 'Управление Минюста России по Пермскому краю', 'Начальник'],
  ['fed-fssp', 'Главное управление Федеральной службы судебных приставов по Пермскому краю', 'ГУФССП России по Пермскому краю', HEAD],
  ['fed-treasury', 'Управление Федерального казначейства по Пермскому краю', 'УФК по Пермскому краю', HEAD],
  ['fed-permstat', 'Территориальный орган Федеральной службы государственной статистики по Пермскому краю', 'Пермьстат', HEAD],
  ['fed-rostekhnadzor', 'Западно-Уральское управление Федеральной службы по экологическому, технологическому и атомному надзору', 'Западно-Уральское управление Ростехнадзора', HEAD],
  ['fed-roskomnadzor', 'Управление Федеральной службы по надзору в сфере связи, информационных технологий и массовых коммуникаций по Пермскому краю', 'Управление Роскомнадзора по Пермскому краю', HEAD],
  ['fed-rosprirodnadzor', 'Западно-Уральское межрегиональное управление Федеральной службы по надзору в сфере природопользования', 'Западно-Уральское управление Росприроднадзора', HEAD],
  ['fed-fas', 'Управление Федеральной антимонопольной службы по Пермскому краю', 'Пермское УФАС России', HEAD],
  ['fed-rosgvardiya', 'Управление Федеральной службы войск национальной гвардии Российской Федерации по Пермскому краю', 'Управление Росгвардии по Пермскому краю', 'Начальник'],
  ['fed-git', 'Государственная инспекция труда в Пермском крае', 'ГИТ в Пермском крае', HEAD],
  ['fed-roszdravnadzor', 'Территориальный орган Федеральной службы по надзору в сфере здравоохранения по Пермскому краю', 'Росздравнадзор по Пермскому краю', HEAD],
  ['fed-rosimushchestvo', 'Территориальное управление Федерального агентства по управлению государственным имуществом в Пермском крае', 'ТУ Росимущества в Пермском крае', HEAD],
  ['fed-sfr', 'Отделение Фонда пенсионного и социального страхования Российской Федерации по Пермскому краю', 'ОСФР по Пермскому краю', 'Управляющий'],
  ['fed-customs', 'Пермская таможня', 'Пермская таможня', 'Начальник таможни'],
  ['fed-voenkomat', 'Военный комиссариат Пермского края', 'Военный комиссариат ПК', 'Военный комиссар'],
  ['fed-court-department', 'Управление Судебного департамента в Пермском крае', 'УСД в Пермском крае', 'Начальник'],
  ['fed-sk', 'Следственное управление Следственного комитета Российской Федерации по Пермскому краю', 'СУ СК России по Пермскому краю', HEAD],
  ['fed-vodresursy', 'Отдел водных ресурсов Камского бассейнового водного управления по Пермскому краю', 'Отдел водных ресурсов КБВУ по Пермскому краю', 'Начальник отдела'],
  ['fed-rosstandart', 'Уральское межрегиональное территориальное управление Федерального агентства по техническому регулированию и метрологии', 'Уральское МТУ Росстандарта', HEAD],
  ['fed-rostransnadzor', 'Уральское межрегиональное управление государственного автодорожного надзора Федеральной службы по надзору в сфере транспорта', 'Уральское МУГАДН Ространснадзора', 'Начальник'],
  [PROSECUTOR_KRAI, 'Прокуратура Пермского края', 'Прокуратура ПК', 'Прокурор края'],
  ['fed-prok-perm', 'Прокуратура города Перми', 'Прокуратура г. Перми', 'Прокурор города'],
  ['fed-prok-berezniki', 'Прокуратура города Березники', 'Прокуратура г. Березники', 'Прокурор города'],
  ['fed-prok-solikamsk', 'Прокуратура города Соликамска', 'Прокуратура г. Соликамска', 'Прокурор города'],
  ['fed-prok-kungur', 'Прокуратура города Кунгура', 'Прокуратура г. Кунгура', 'Прокурор города'],
  ['fed-prok-chaykovsky', 'Прокуратура города Чайковского', 'Прокуратура г. Чайковского', 'Прокурор города'],
  ['fed-prok-lysva', 'Прокуратура города Лысьвы', 'Прокуратура г. Лысьвы', 'Прокурор города'],
  ['fed-prok-kudymkar', 'Прокуратура города Кудымкара', 'Прокуратура г. Кудымкара', 'Прокурор города'],
  ['fed-prok-chusovoy', 'Прокуратура города Чусового', 'Прокуратура г. Чусового', 'Прокурор города'],
  ['fed-prok-krasnokamsk', 'Прокуратура города Краснокамска', 'Прокуратура г. Краснокамска', 'Прокурор города'],
  ['fed-prok-dobryanka', 'Прокуратура города Добрянки', 'Прокуратура г. Добрянки', 'Прокурор города'],
  ['fed-prok-nature', 'Пермская межрайонная природоохранная прокуратура', 'Пермская природоохранная прокуратура', 'Прокурор'],
  ['fed-prok-transport', 'Пермская транспортная прокуратура', 'Пермская транспортная прокуратура', 'Прокурор'],
];
for (const [id, name, shortName, position] of FEDERAL) {
  const parentId = id.startsWith('fed-prok-') && id !== PROSECUTOR_KRAI ? PROSECUTOR_KRAI : null;
  government({ id, category: 'federal-territorial', name, shortName, parentId, address: permAddress(), position });
}

// Municipalities (local self-government). Settlements exist only inside municipal districts (районы).
type MunicipalityType = 'city' | 'okrug' | 'rayon';
interface Municipality {
  slug: string;
  type: MunicipalityType;
  /** Genitive, full ("города Перми", "Ильинского муниципального района"). */
  genitive: string;
  /** Genitive, abbreviated ("г. Перми", "Ильинского МР"). */
  genitiveShort: string;
  /** Nominative with the administrative centre, for addresses. */
  place: string;
  postcode: string;
  adjective: string | null;
  id: string;
}

const CITIES: readonly (readonly [string, string, string])[] = [
  ['perm', 'Перми', 'г. Пермь'],
  ['berezniki', 'Березники', 'г. Березники'],
  ['kungur', 'Кунгура', 'г. Кунгур'],
  ['solikamsk', 'Соликамска', 'г. Соликамск'],
  ['kudymkar', 'Кудымкара', 'г. Кудымкар'],
];
const OKRUGS: readonly (readonly [string, string])[] = [
  ['Кизеловский', 'г. Кизел'],
  ['Лысьвенский', 'г. Лысьва'],
  ['Горнозаводский', 'г. Горнозаводск'],
  ['Александровский', 'г. Александровск'],
];
const RAYONS: readonly (readonly [string, string])[] = [
  ['Бардымский', 'с. Барда'], ['Березовский', 'с. Березовка'], ['Большесосновский', 'с. Большая Соснова'],
  ['Верещагинский', 'г. Верещагино'], ['Гайнский', 'пос. Гайны'], ['Гремячинский', 'г. Гремячинск'],
  ['Добрянский', 'г. Добрянка'], ['Еловский', 'с. Елово'], ['Ильинский', 'пгт Ильинский'],
  ['Карагайский', 'с. Карагай'], ['Кишертский', 'с. Усть-Кишерть'], ['Косинский', 'с. Коса'],
  ['Кочёвский', 'с. Кочёво'], ['Красновишерский', 'г. Красновишерск'], ['Краснокамский', 'г. Краснокамск'],
  ['Кудымкарский', 'г. Кудымкар'], ['Куединский', 'пос. Куеда'], ['Кунгурский', 'г. Кунгур'],
  ['Нытвенский', 'г. Нытва'], ['Октябрьский', 'пгт Октябрьский'], ['Ординский', 'с. Орда'],
  ['Осинский', 'г. Оса'], ['Оханский', 'г. Оханск'], ['Очёрский', 'г. Очёр'], ['Пермский', 'г. Пермь'],
  ['Сивинский', 'с. Сива'], ['Соликамский', 'г. Соликамск'], ['Суксунский', 'пгт Суксун'],
  ['Уинский', 'с. Уинское'], ['Усольский', 'г. Усолье'], ['Чердынский', 'г. Чердынь'],
  ['Чернушинский', 'г. Чернушка'], ['Чусовской', 'г. Чусовой'], ['Юрлинский', 'с. Юрла'],
  ['Юсьвинский', 'с. Юсьва'],
];

function postcode(): string {
  return `${pick(['617', '618', '619'])}${pad(int(0, 999), 3)}`;
}

const municipalities: Municipality[] = [];
for (const [slug, gen, centre] of CITIES) {
  municipalities.push({
    slug, type: 'city', genitive: `города ${gen}`, genitiveShort: `г. ${gen}`, place: centre,
    postcode: slug === 'perm' ? `614${pad(int(0, 99), 3)}` : postcode(), adjective: null, id: `mun-${slug}`,
  });
}
municipalities.push({
  slug: 'zvezdny', type: 'city', genitive: 'ЗАТО Звёздный', genitiveShort: 'ЗАТО Звёздный',
  place: 'ЗАТО Звёздный, пос. Звёздный', postcode: postcode(), adjective: null, id: 'mun-zvezdny',
});
for (const [adj, centre] of OKRUGS) {
  const slug = slugify(adj);
  municipalities.push({
    slug, type: 'okrug', genitive: `${adjGenitive(adj)} городского округа`, genitiveShort: `${adjGenitive(adj)} ГО`,
    place: `${adj} городской округ, ${centre}`, postcode: postcode(), adjective: adj, id: `mun-${slug}`,
  });
}
for (const [adj, centre] of RAYONS) {
  const slug = slugify(adj);
  municipalities.push({
    slug, type: 'rayon', genitive: `${adjGenitive(adj)} муниципального района`, genitiveShort: `${adjGenitive(adj)} МР`,
    place: `${adj} муниципальный район, ${centre}`, postcode: postcode(), adjective: adj, id: `mun-${slug}`,
  });
}

function municipalAddress(m: Municipality): string {
  return `${m.postcode}, Пермский край, ${m.place}, ${street()}`;
}

const HEAD_POSITION: Record<MunicipalityType, string> = {
  city: 'Глава города — глава администрации',
  okrug: 'Глава городского округа — глава администрации',
  rayon: 'Глава муниципального района — глава администрации',
};
for (const m of municipalities) {
  government({
    id: m.id, category: 'municipal-district', name: `Администрация ${m.genitive}`, shortName: `Администрация ${m.genitiveShort}`,
    parentId: null, address: municipalAddress(m), position: HEAD_POSITION[m.type],
  });
}
fromDemo('gov-admin-district', {
  category: 'municipal-district',
  shortName: 'Администрация Демонстрационного МО',
  parentId: null,
  address: '617000, Пермский край, Демонстрационный муниципальный округ, пос. Демонстрационный, ул. Центральная, д. 1',
  delivery: { mode: 'pull' },
});

// 25 representative bodies and 11 control-accounting chambers (seed, line 39).
const cityAndOkrugs = municipalities.filter((m) => m.type !== 'rayon');
const rayons = municipalities.filter((m) => m.type === 'rayon');
const withRepresentative = [...cityAndOkrugs, ...shuffled(rayons).slice(0, 25 - cityAndOkrugs.length)];
for (const m of withRepresentative) {
  const rayon = m.type === 'rayon';
  government({
    id: `rep-${m.slug}`, category: 'municipal-representative',
    name: `${rayon ? 'Земское собрание' : 'Дума'} ${m.genitive}`,
    shortName: `${rayon ? 'Земское собрание' : 'Дума'} ${m.genitiveShort}`,
    parentId: m.id, address: municipalAddress(m),
    position: rayon ? 'Председатель Земского собрания' : 'Председатель Думы',
  });
}
const cities = municipalities.filter((m) => m.type === 'city');
const withChamber = [...cities, ...shuffled(municipalities.filter((m) => m.type !== 'city')).slice(0, 11 - cities.length)];
for (const m of withChamber) {
  government({
    id: `ksp-${m.slug}`, category: 'municipal-control-chamber',
    name: `Контрольно-счётная палата ${m.genitive}`, shortName: `КСП ${m.genitiveShort}`,
    parentId: m.id, address: municipalAddress(m), position: 'Председатель Контрольно-счётной палаты',
  });
}

// 31 urban and 206 rural settlements, each under a municipal district.
const SETTLEMENT_ROOTS = [
  'Ильинское', 'Сретенское', 'Васильевское', 'Покровское', 'Никольское', 'Троицкое', 'Успенское',
  'Богородское', 'Рождественское', 'Кленовское', 'Березовское', 'Сосновское', 'Ключевское', 'Заречное',
  'Луговое', 'Полянское', 'Осиновское', 'Петропавловское', 'Дмитриевское', 'Михайловское',
  'Александровское', 'Константиновское', 'Андреевское', 'Григорьевское', 'Павловское', 'Фроловское',
  'Егорьевское', 'Спасское', 'Вознесенское', 'Знаменское', 'Каменское', 'Песчанское', 'Ольховское',
  'Липовское', 'Рябиновское', 'Калиновское', 'Черемуховское', 'Кедровское', 'Пихтовское', 'Лесное',
  'Горское', 'Озёрное', 'Речное', 'Бобровское', 'Соколовское', 'Журавлёвское', 'Орловское',
  'Медведевское', 'Зуевское', 'Гаревское', 'Фоминское', 'Уральское', 'Камское', 'Сылвенское',
  'Обвинское', 'Иньвенское', 'Косьвинское', 'Вишерское', 'Колвинское', 'Яйвинское',
] as const;
const SETTLEMENT_PREFIXES = ['', 'Верхне', 'Нижне', 'Ново', 'Старо', 'Больше', 'Мало', 'Усть-'] as const;

const settlementStems = shuffled(
  SETTLEMENT_PREFIXES.flatMap((prefix) =>
    SETTLEMENT_ROOTS.map((root) => (prefix === '' || prefix.endsWith('-') ? `${prefix}${root}` : `${prefix}${root.toLowerCase()}`)),
  ),
);
let stemIndex = 0;
function nextStem(): string {
  const stem = at(settlementStems, stemIndex);
  stemIndex += 1;
  return stem;
}

/** "Ильинское" names the settlement; its centre is the masculine town form "Ильинский". */
function townOf(stem: string): string {
  // Stress on the ending (Лесное → Лесной) takes -ой; the rest take the unstressed -ий/-ый.
  return stem
    .replace(/(вое|лесное|речное|Лесное|Речное)$/, (m) => `${m.slice(0, -2)}ой`)
    .replace(/ское$/, 'ский')
    .replace(/ное$/, 'ный');
}

const urbanHosts = shuffled(rayons).slice(0, 31);
const ruralCounts = new Map<string, number>(rayons.map((m) => [m.id, 5]));
for (let extra = 0; extra < 206 - 5 * rayons.length; extra += 1) {
  const m = pick(rayons);
  ruralCounts.set(m.id, (ruralCounts.get(m.id) ?? 0) + 1);
}

function settlementAddress(m: Municipality, locality: string): string {
  return `${m.postcode.slice(0, 4)}${pad(int(0, 99), 2)}, Пермский край, ${m.place.split(',')[0] ?? m.place}, ${locality}, ${street()}`;
}

let urbanNo = 0;
for (const m of rayons.filter((r) => urbanHosts.includes(r))) {
  urbanNo += 1;
  const stem = nextStem();
  government({
    id: `urban-${slugify(stem)}-${urbanNo}`, category: 'urban-settlement',
    name: `${stem} городское поселение`, shortName: `${stem} ГП`, parentId: m.id,
    address: settlementAddress(m, `пгт ${townOf(stem)}`), position: 'Глава городского поселения — глава администрации',
  });
}
let ruralNo = 0;
for (const m of rayons) {
  for (let i = 0; i < (ruralCounts.get(m.id) ?? 0); i += 1) {
    ruralNo += 1;
    const stem = nextStem();
    government({
      id: `rural-${slugify(stem)}-${ruralNo}`, category: 'rural-settlement',
      name: `${stem} сельское поселение`, shortName: `${stem} СП`, parentId: m.id,
      address: settlementAddress(m, `с. ${stem}`), position: 'Глава сельского поселения — глава администрации',
    });
  }
}

// State institutions of the region, each under its founding executive body.
const STATE_FIXED: readonly (readonly [string, string, string, string, string])[] = [
  ['si-archive-krai', 'ГКБУ «Государственный архив Пермского края»', 'Госархив ПК', 'gov-agency-archives', 'Директор'],
  ['si-archive-newest', 'ГКБУ «Пермский государственный архив новейшей истории»', 'ПермГАНИ', 'gov-agency-archives', 'Директор'],
  ['si-mfc', 'КГАУ «Пермский краевой многофункциональный центр предоставления государственных и муниципальных услуг»', 'МФЦ ПК', 'gov-agency-institutions', 'Директор'],
  ['si-library-krai', 'ГКБУК «Пермская краевая универсальная библиотека»', 'Краевая библиотека', 'gov-minkult', 'Директор'],
  ['si-gallery', 'ГКБУК «Пермская государственная художественная галерея»', 'Художественная галерея', 'gov-minkult', 'Директор'],
  ['si-museum', 'ГКБУК «Пермский краевой музей»', 'Краевой музей', 'gov-minkult', 'Директор'],
  ['si-forestry', 'ГКУ «Управление лесничествами Пермского края»', 'Управление лесничествами ПК', 'gov-minprirody', 'Директор'],
  ['si-roads', 'ГКУ «Управление автомобильных дорог и транспорта Пермского края»', 'Упрдор ПК', 'gov-mintrans', 'Директор'],
  ['si-social-payments', 'ГКУ «Центр социальных выплат и компенсаций Пермского края»', 'ЦСВК ПК', 'gov-minsoc', 'Директор'],
  ['si-info-center', 'ГКУ «Центр информационного развития Пермского края»', 'ЦИР ПК', 'gov-minsvyaz', 'Директор'],
  ['si-emergency', 'ГКУ «Пермский краевой центр гражданской защиты»', 'Центр гражданской защиты ПК', 'gov-minbezopasnosti', 'Начальник'],
  ['si-ambulance', 'ГБУЗ ПК «Пермская станция скорой медицинской помощи»', 'Станция СМП', 'gov-minzdrav', 'Главный врач'],
];
for (const [id, name, shortName, parentId, position] of STATE_FIXED) {
  government({ id, category: 'state-institution', name, shortName, parentId, address: permAddress(), position });
}
for (const m of rayons) {
  const adj = adjFeminine(m.adjective ?? m.slug);
  government({
    id: `si-crb-${m.slug}`, category: 'state-institution',
    name: `ГБУЗ ПК «${adj} центральная районная больница»`, shortName: `${adj} ЦРБ`,
    parentId: 'gov-minzdrav', address: municipalAddress(m), position: 'Главный врач',
  });
}
for (let n = 1; n <= 20; n += 1) {
  government({
    id: `si-gkb-${n}`, category: 'state-institution', name: `ГБУЗ ПК «Городская клиническая больница № ${n}»`,
    shortName: `ГКБ № ${n}`, parentId: 'gov-minzdrav', address: permAddress(), position: 'Главный врач',
  });
}
for (const m of municipalities.slice(0, 30)) {
  government({
    id: `si-czn-${m.slug}`, category: 'state-institution', name: `ГКУ «Центр занятости населения ${m.genitive}»`,
    shortName: `ЦЗН ${m.genitiveShort}`, parentId: 'gov-agency-employment', address: municipalAddress(m), position: 'Директор',
  });
}
for (let n = 1; n <= 20; n += 1) {
  government({
    id: `si-internat-${n}`, category: 'state-institution', name: `ГБОУ «Специальная (коррекционная) школа-интернат № ${n}»`,
    shortName: `Школа-интернат № ${n}`, parentId: 'gov-minobr', address: permAddress(), position: 'Директор',
  });
}
for (let n = 1; n <= 20; n += 1) {
  government({
    id: `si-kcson-${n}`, category: 'state-institution', name: `ГБУ ПК «Комплексный центр социального обслуживания населения № ${n}»`,
    shortName: `КЦСОН № ${n}`, parentId: 'gov-minsoc', address: permAddress(), position: 'Директор',
  });
}

// Municipal institutions, each under its municipality's administration.
for (const m of municipalities) {
  const institutions: readonly (readonly [string, string, string])[] = [
    ['archive', `МКУ «Муниципальный архив ${m.genitive}»`, `Архив ${m.genitiveShort}`],
    ['edds', `МКУ «Единая дежурно-диспетчерская служба ${m.genitive}»`, `ЕДДС ${m.genitiveShort}`],
    ['cbs', `МБУК «Централизованная библиотечная система ${m.genitive}»`, `ЦБС ${m.genitiveShort}`],
  ];
  for (const [kind, name, shortName] of institutions) {
    government({ id: `mi-${m.slug}-${kind}`, category: 'municipal-institution', name, shortName, parentId: m.id, address: municipalAddress(m), position: 'Директор' });
  }
}
const SCHOOLS_PER_CITY: readonly (readonly [string, number, number])[] = [
  ['perm', 35, 150], ['berezniki', 10, 30], ['solikamsk', 8, 20], ['kungur', 6, 15], ['kudymkar', 4, 10], ['zvezdny', 2, 3],
];
for (const [slug, count, highest] of SCHOOLS_PER_CITY) {
  const m = municipalities.find((x) => x.slug === slug);
  if (m === undefined) throw new Error(`no municipality ${slug}`);
  const numbers = shuffled(Array.from({ length: highest }, (_, i) => i + 1)).slice(0, count).sort((a, b) => a - b);
  for (const n of numbers) {
    government({
      id: `mi-${slug}-school-${n}`, category: 'municipal-institution',
      name: `МАОУ «Средняя общеобразовательная школа № ${n}» ${m.genitiveShort}`,
      shortName: `СОШ № ${n} ${m.genitiveShort}`, parentId: m.id, address: municipalAddress(m), position: 'Директор',
    });
  }
}

// Demo enterprises (not counted in the 734); the refinery comes first.
fromDemo('demo-refinery', {
  category: 'enterprise', shortName: 'Демо-НПЗ', parentId: 'demo-oil-group', address: permAddress(),
  delivery: { mode: 'push', endpoint: 'https://edms.demo-refinery.example/edx/inbox' },
});
fromDemo('demo-supplier', { category: 'enterprise', shortName: 'Демо-Поставщик', parentId: null, address: permAddress(), delivery: { mode: 'pull' } });
const ENTERPRISES: readonly (readonly [string, string, string, string | null])[] = [
  ['demo-oil-group', 'ПАО «Демо-Нефть» (синтетические данные)', 'Демо-Нефть', null],
  ['demo-chemicals', 'АО «Демо-Химпром» (синтетические данные)', 'Демо-Химпром', null],
];
for (const [id, name, shortName, parentId] of ENTERPRISES) {
  const ids = nextIdentifiers();
  participants.push({
    id, kind: 'enterprise', category: 'enterprise', name, shortName, ...ids, parentId, region: '59',
    address: permAddress(), email: `office@${id}.example`, phone: phone(), delivery: { mode: 'pull' },
    signatory: signatory(pick(['Генеральный директор', 'Директор'])),
  });
}

// ---------------------------------------------------------------- output

const CATEGORY_LABELS: Record<CategoryCode, string> = {
  'regional-executive': 'Исполнительные органы государственной власти края',
  'governor-administration': 'Администрация губернатора и Аппарат Правительства',
  'federal-territorial': 'Территориальные органы федеральных органов исполнительной власти',
  'municipal-district': 'Органы местного самоуправления муниципальных районов и округов',
  'municipal-representative': 'Представительные органы муниципальных образований',
  'municipal-control-chamber': 'Контрольно-счётные органы муниципальных образований',
  'urban-settlement': 'Городские поселения',
  'rural-settlement': 'Сельские поселения',
  'state-institution': 'Государственные учреждения',
  'municipal-institution': 'Муниципальные учреждения',
  enterprise: 'Предприятия (демонстрационные)',
};

const fixture: DirectoryFixture = {
  notice:
    'SYNTHETIC DATA for development and demonstration. Names follow the administrative structure of Perm Krai (region 59), ' +
    'but every INN, OGRN, KPP, SNILS, person, e-mail, phone, address and endpoint is generated and identifies no real ' +
    'organisation or person; any coincidence is accidental. Do not use for real correspondence. / СИНТЕТИЧЕСКИЕ ДАННЫЕ: ' +
    'реквизиты, лица и контакты сгенерированы и не принадлежат реальным организациям.',
  version: 1,
  generatedBy: 'scripts/generate-directory.ts',
  categories: CATEGORY_LABELS,
  participants,
};

const governmentCount = participants.filter((p) => p.kind === 'government').length;
if (governmentCount !== GOVERNMENT_TOTAL) {
  throw new Error(`generated ${governmentCount} government participants, expected ${GOVERNMENT_TOTAL}`);
}
const check = parseDirectoryFixture(fixture);
if (!check.ok) throw new Error(check.error.message);

const output = process.argv[2] ?? fileURLToPath(new URL('../fixtures/directory.json', import.meta.url));
writeFileSync(output, `${JSON.stringify(fixture, null, 2)}\n`);
process.stdout.write(`wrote ${participants.length} participants (${governmentCount} government) to ${output}\n`);
