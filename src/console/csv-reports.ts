import { writeCsv } from '../admin/csv.ts';
import type { Lang } from './i18n.ts';
import type { DeliveryReport, DisciplineReport } from './queries.ts';

// The directory export's writer (src/admin/csv.ts): RFC 4180 with CRLF, a UTF-8 BOM for Excel,
// and every cell neutralised against formula injection (OWASP "CSV injection").

/** The delivery report as CSV: one record per recipient. */
export function deliveryCsv(report: DeliveryReport, lang: Lang): string {
  const header =
    lang === 'ru'
      ? ['Получатель', 'Наименование', 'ИНН', 'Отправлено', 'Доставлено', 'Не доставлено', 'Среднее время доставки, с', 'Наибольшее время доставки, с']
      : ['recipient', 'name', 'inn', 'sent', 'delivered', 'failed', 'average_latency_s', 'max_latency_s'];
  const s = (v: number | null): string => (v === null ? '' : v.toFixed(3));
  return writeCsv([header, ...report.rows.map((r) => [r.recipientId, r.recipientName, r.recipientInn, String(r.sent), String(r.delivered), String(r.failed), s(r.averageLatencySeconds), s(r.maxLatencySeconds)])]);
}

/** The executive-discipline report as CSV: one record per letter due or overdue. */
export function disciplineCsv(report: DisciplineReport, lang: Lang): string {
  const header =
    lang === 'ru'
      ? ['Получатель', 'Наименование получателя', 'Рег. номер', 'Дата регистрации', 'Тема', 'Вид', 'Отправитель', 'Состояние', 'Срок ответа', 'Дней просрочки', 'Статус', 'Идентификатор сообщения']
      : ['recipient', 'recipient_name', 'reg_number', 'reg_date', 'subject', 'kind', 'sender', 'state', 'response_due', 'days_overdue', 'status', 'message_id'];
  return writeCsv([
    header,
    ...report.letters.map((l) => [l.recipientId, l.recipientName, l.regNumber, l.regDate, l.subject, l.kind, l.senderId, l.state, l.responseDue, String(l.daysOverdue), l.status, l.id]),
  ]);
}
