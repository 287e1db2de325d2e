/** The rehearsal report's public API, for the rehearsal runner. */
export { writeRehearsalReport, type RehearsalReportFiles } from './write-report';
export { renderHtmlReport } from './html';
export { renderMarkdownReport } from './markdown';
export { lagChartSvg, phaseTimelineSvg } from './charts';
export { verdictLine } from './verdict';
export {
  CHECKLIST_GATES,
  RehearsalResultSchema,
  type ChecklistGate,
  type ChecklistGateName,
  type GateCheck,
  type LagSample,
  type Phase,
  type RehearsalResult,
} from './result';
