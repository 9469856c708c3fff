/**
 * The web console (issue 6): server-rendered pages, sessions and CSRF, the console's read models,
 * charts and CSV reports. The HTTP wiring is src/http/routes/console.ts.
 */
export { addDays, DEFAULT_LANG, DEFAULT_TIME_ZONE, formatCalendarDate, formatDateTime, canonicalTimeZone, isLang, isTimeZone, LANGS, localDate, startOfLocalDay, texts, zoneOffsetMs, type Lang, type TextKey } from './i18n.ts';
export { closeSession, csrfMatches, findSession, openSession, sameOriginRequest, SESSION_TTL_MS, setSessionPreferences, type ConsoleSession } from './session.ts';
export { dashboardFigures, deliveryReport, disciplineReport, DISCIPLINE_LIMIT, participantNames, resolveParticipant, searchMessages, searchJournal, type AuditRow, type Dashboard, type DeliveryReport, type DisciplineReport, type MessageListItem, type MessageSearch, type Scope } from './queries.ts';
export { barChart, type ChartBar } from './chart.ts';
export { deliveryCsv, disciplineCsv } from './csv-reports.ts';
export { makeView, type View } from './layout.ts';
export { STATIC_FILES } from './static-files.ts';
export { loginPage, problemPage, settingsPage } from './pages/simple.ts';
export { dashboardPage } from './pages/dashboard.ts';
export { messagePage, messagesPage, type MessageFilters } from './pages/messages.ts';
export { directoryPage, EDITABLE_FIELDS, participantPage } from './pages/directory.ts';
export { tokensPage } from './pages/tokens.ts';
export { composePage, sentPage, type ComposeValues } from './pages/compose.ts';
export { deliveryReportPage, disciplineReportPage } from './pages/reports.ts';
export { trustPage, type TrustFormValues } from './pages/trust.ts';
export { auditPage, auditVerifyPage, type AuditFilters } from './pages/audit.ts';
