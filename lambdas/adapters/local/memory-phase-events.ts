import type { PhaseChanged, PhaseEvents } from '../../ports/phase-events';

/** Keeps the events in order (local rehearsal, tests); the rehearsal report lists them as the timeline. */
export class MemoryPhaseEvents implements PhaseEvents {
  readonly events: PhaseChanged[] = [];

  async publish(event: PhaseChanged): Promise<void> {
    this.events.push(event);
  }
}
