/** The rehearsal report's public API, for the rehearsal runner. */
export { writeRehearsalReport, type RehearsalReportFiles } from './write-report';
export type { GateCheck, LagSample, RehearsalResult } from './result';
