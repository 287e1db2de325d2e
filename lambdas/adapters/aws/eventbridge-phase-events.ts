import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  PHASE_CHANGED_DETAIL_TYPE,
  PHASE_EVENT_SOURCE,
  type PhaseChanged,
  type PhaseEvents,
} from '../../ports/phase-events';
import { TransientError } from '../../core/errors';

/** PutEvents on a bus (the default bus unless told otherwise); the execution ARN is the event's resource. */
export class EventBridgePhaseEvents implements PhaseEvents {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string = 'default',
  ) {}

  async publish(event: PhaseChanged): Promise<void> {
    const result = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.eventBusName,
            Source: PHASE_EVENT_SOURCE,
            DetailType: PHASE_CHANGED_DETAIL_TYPE,
            Resources: event.executionId.startsWith('arn:') ? [event.executionId] : [],
            Time: new Date(event.at),
            Detail: JSON.stringify(event),
          },
        ],
      }),
    );
    if ((result.FailedEntryCount ?? 0) > 0) {
      const entry = result.Entries?.[0];
      throw new TransientError(
        `EventBridge refused the ${event.phase} phase event: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim(),
      );
    }
  }
}
