import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { EventBridgePhaseEvents } from '../../lambdas/adapters/aws/eventbridge-phase-events';
import { SchedulerApprovalReminders } from '../../lambdas/adapters/aws/scheduler-approval-reminders';
import { isApprovalReminderEvent } from '../../lambdas/ports/approval-reminders';
import { PHASE_CHANGED_DETAIL_TYPE, PHASE_EVENT_SOURCE, type PhaseChanged } from '../../lambdas/ports/phase-events';
import { emulatorClientConfig } from './emulator/aws-clients';
import { EMULATOR_ACCOUNT, EMULATOR_REGION, startMotoServer, type MotoServer } from './emulator/moto-server';
import { awsJson } from './emulator/raw-aws';

const EXECUTION_ARN = `arn:aws:states:${EMULATOR_REGION}:${EMULATOR_ACCOUNT}:execution:msk-migration:orders-2026-11-02`;

describe('phase events and approval timers against the EventBridge and EventBridge Scheduler APIs (moto server)', () => {
  let server: MotoServer;

  beforeAll(async () => {
    server = await startMotoServer({ services: ['EventBridge', 'EventBridge Scheduler', 'SQS'] });
  }, 45_000);

  afterAll(async () => {
    await server?.stop();
  });

  describe('EventBridgePhaseEvents', () => {
    let events: EventBridgeClient;

    beforeAll(() => {
      events = new EventBridgeClient(emulatorClientConfig(server));
    });

    afterAll(() => events?.destroy());

    /** A rule as the notifications construct has it (source + detail-type) sending to a queue the test reads. */
    async function subscribe(busName: string): Promise<string> {
      const { QueueUrl: queueUrl } = await awsJson<{ QueueUrl: string }>(server, 'sqs', 'AmazonSQS.CreateQueue', {
        QueueName: `phase-events-${busName}`,
      });
      const queueArn = `arn:aws:sqs:${EMULATOR_REGION}:${EMULATOR_ACCOUNT}:phase-events-${busName}`;
      await events.send(
        new PutRuleCommand({
          Name: `phase-changed-${busName}`,
          EventBusName: busName,
          EventPattern: JSON.stringify({ source: [PHASE_EVENT_SOURCE], 'detail-type': [PHASE_CHANGED_DETAIL_TYPE] }),
        }),
      );
      await events.send(
        new PutTargetsCommand({
          Rule: `phase-changed-${busName}`,
          EventBusName: busName,
          Targets: [{ Id: 'queue', Arn: queueArn }],
        }),
      );
      return queueUrl;
    }

    async function receive(queueUrl: string, count: number): Promise<Array<Record<string, unknown>>> {
      const got: Array<Record<string, unknown>> = [];
      const deadline = Date.now() + 10_000;
      while (got.length < count && Date.now() < deadline) {
        const out = await awsJson<{ Messages?: Array<{ Body: string }> }>(server, 'sqs', 'AmazonSQS.ReceiveMessage', {
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        });
        for (const m of out.Messages ?? []) got.push(JSON.parse(m.Body) as Record<string, unknown>);
      }
      return got;
    }

    it('puts a phase event on the default bus that a source + detail-type rule delivers, with the execution as its resource', async () => {
      // Prepare
      const queueUrl = await subscribe('default');
      const event: PhaseChanged = {
        migrationId: 'orders',
        executionId: EXECUTION_ARN,
        phase: 'AwaitCatchUp',
        status: 'SUCCEEDED',
        summary: 'Replication caught up: lag under 1,000 messages for 3 evaluations',
        figures: { maxLag: 12, evaluations: 3, healthy: true },
        at: '2026-11-02T10:15:00.000Z',
      };

      // Act
      await new EventBridgePhaseEvents(events).publish(event);

      // Assess
      const [delivered, ...more] = await receive(queueUrl, 1);
      expect(more).toHaveLength(0);
      expect(delivered).toMatchObject({
        source: PHASE_EVENT_SOURCE,
        'detail-type': PHASE_CHANGED_DETAIL_TYPE,
        resources: [EXECUTION_ARN],
        detail: event,
      });
      expect(Date.parse(String(delivered?.time))).toBe(Date.parse(event.at));
    });

    it('puts events on a named bus, and a local execution ID (not an ARN) is no resource', async () => {
      await events.send(new CreateEventBusCommand({ Name: 'platform-events' }));
      const queueUrl = await subscribe('platform-events');
      const failed: PhaseChanged = {
        migrationId: 'orders',
        executionId: 'local-orders-1',
        phase: 'ValidateTarget',
        status: 'FAILED',
        summary: '2 partitions of payments lost records',
        errorName: 'Migration.ValidationFailed',
        at: '2026-11-02T10:40:00.000Z',
      };

      await new EventBridgePhaseEvents(events, 'platform-events').publish(failed);

      const [delivered] = await receive(queueUrl, 1);
      expect(delivered).toMatchObject({
        resources: [],
        detail: { phase: 'ValidateTarget', status: 'FAILED', errorName: 'Migration.ValidationFailed' },
      });
    });
  });

  describe('SchedulerApprovalReminders', () => {
    let scheduler: SchedulerClient;
    const options = {
      targetArn: `arn:aws:lambda:${EMULATOR_REGION}:${EMULATOR_ACCOUNT}:function:msk-migration-approval-endpoint`,
      roleArn: `arn:aws:iam::${EMULATOR_ACCOUNT}:role/msk-migration-reminders`,
    };
    const approvalId = 'Q2l0eU9mQXBwcm92YWxzMQ';

    beforeAll(() => {
      scheduler = new SchedulerClient(emulatorClientConfig(server));
    });

    afterAll(() => scheduler?.destroy());

    it('creates a one-off, self-deleting reminder and deadline that invoke the approval function with the reminder event', async () => {
      // Prepare
      const reminders = new SchedulerApprovalReminders(scheduler, options);

      // Act
      await reminders.schedule(approvalId, new Date('2026-11-02T11:30:00.250Z'), 'REMIND');
      await reminders.schedule(approvalId, new Date('2026-11-02T12:00:00.000Z'), 'EXPIRE');

      // Assess
      const remind = await scheduler.send(
        new GetScheduleCommand({ Name: `msk-approval-${approvalId}`, GroupName: 'default' }),
      );
      expect(remind).toMatchObject({
        ScheduleExpression: 'at(2026-11-02T11:30:00)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        State: 'ENABLED',
        Target: { Arn: options.targetArn, RoleArn: options.roleArn, RetryPolicy: { MaximumRetryAttempts: 2 } },
      });
      const remindEvent: unknown = JSON.parse(remind.Target?.Input ?? 'null');
      expect(isApprovalReminderEvent(remindEvent)).toBe(true);
      expect(remindEvent).toEqual({ source: 'msk-migration.approval-reminder', approvalId, action: 'REMIND' });
      const expire = await scheduler.send(
        new GetScheduleCommand({ Name: `msk-approval-expire-${approvalId}`, GroupName: 'default' }),
      );
      expect(expire.ScheduleExpression).toBe('at(2026-11-02T12:00:00)');
      expect(JSON.parse(expire.Target?.Input ?? 'null')).toEqual({
        source: 'msk-migration.approval-reminder',
        approvalId,
        action: 'EXPIRE',
      });
    });

    it('cancels both timers, and cancelling again (timers already fired or deleted) is not an error', async () => {
      const reminders = new SchedulerApprovalReminders(scheduler, options);
      const id = 'Q2FuY2VsbGVkQXBwcm92YWw';
      await reminders.schedule(id, new Date('2026-11-02T11:30:00.000Z'), 'REMIND');
      await reminders.schedule(id, new Date('2026-11-02T12:00:00.000Z'), 'EXPIRE');

      await reminders.cancel(id);
      await reminders.cancel(id);

      const left = await scheduler.send(new ListSchedulesCommand({ GroupName: 'default', NamePrefix: 'msk-approval' }));
      expect((left.Schedules ?? []).map((s) => s.Name).filter((name) => name?.endsWith(id))).toEqual([]);
    });

    it('puts the timers in the schedule group it is given', async () => {
      await scheduler.send(new CreateScheduleGroupCommand({ Name: 'msk-migration' }));
      const reminders = new SchedulerApprovalReminders(scheduler, { ...options, groupName: 'msk-migration' });

      await reminders.schedule('R3JvdXBlZEFwcHJvdmFsMQ', new Date('2026-11-02T11:30:00.000Z'), 'REMIND');

      await expect(
        scheduler.send(
          new GetScheduleCommand({ Name: 'msk-approval-R3JvdXBlZEFwcHJvdmFsMQ', GroupName: 'msk-migration' }),
        ),
      ).resolves.toMatchObject({
        GroupName: 'msk-migration',
      });
      await expect(
        scheduler.send(new GetScheduleCommand({ Name: 'msk-approval-R3JvdXBlZEFwcHJvdmFsMQ', GroupName: 'default' })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });
  });
});
