import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SfnTaskCallback } from '../../lambdas/adapters/aws/sfn-task-callback';
import { EMULATOR_ACCOUNT } from './emulator/moto-server';
import { emulatorClientConfig } from './emulator/aws-clients';
import { startMotoServer, type MotoServer } from './emulator/moto-server';

/**
 * moto runs state machines when `stepfunctions.execute_state_machine` is on (its interpreter, the one LocalStack's
 * community edition had). A `.waitForTaskToken` state that publishes its token to SNS stands in for CutoverApproval
 * (whose Lambda would need Docker here): the token it hands out is a real one the execution waits on.
 */
describe('SfnTaskCallback against the Step Functions API (moto server, executing state machines)', () => {
  let server: MotoServer;
  let sfn: SFNClient;
  let callback: SfnTaskCallback;
  let topicArn: string;
  let stateMachineArn: string;
  let n = 0;

  beforeAll(async () => {
    server = await startMotoServer({ services: ['Step Functions', 'SNS'] });
    await server.configure({ stepfunctions: { execute_state_machine: true } });
    sfn = new SFNClient(emulatorClientConfig(server));
    const sns = new SNSClient(emulatorClientConfig(server));
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'approval-requests' }))).TopicArn ?? '';
    sns.destroy();
    const definition = {
      StartAt: 'CutoverApproval',
      States: {
        CutoverApproval: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sns:publish.waitForTaskToken',
          Parameters: {
            TopicArn: topicArn,
            Message: { 'taskToken.$': '$$.Task.Token', 'executionId.$': '$$.Execution.Id' },
          },
          TimeoutSeconds: 600,
          HeartbeatSeconds: 300,
          End: true,
        },
      },
    };
    stateMachineArn =
      (
        await sfn.send(
          new CreateStateMachineCommand({
            name: 'approval-wait',
            definition: JSON.stringify(definition),
            roleArn: `arn:aws:iam::${EMULATOR_ACCOUNT}:role/approval-wait`,
          }),
        )
      ).stateMachineArn ?? '';
    callback = new SfnTaskCallback(sfn);
  }, 45_000);

  afterAll(async () => {
    sfn?.destroy();
    await server?.stop();
  });

  /** Starts an execution and returns it with the task token its waiting state published. */
  async function waitingExecution(): Promise<{ executionArn: string; taskToken: string }> {
    const executionArn =
      (
        await sfn.send(
          new StartExecutionCommand({ stateMachineArn, name: `exec-${++n}`, input: '{"migrationId":"orders"}' }),
        )
      ).executionArn ?? '';
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const topics = ((await server.modelData()).sns?.Topic ?? []) as Array<{
        arn: string;
        sent_notifications: Array<[string, string]>;
      }>;
      for (const [, message] of topics.find((t) => t.arn === topicArn)?.sent_notifications ?? []) {
        const published = JSON.parse(message) as { taskToken: string; executionId: string };
        if (published.executionId === executionArn) return { executionArn, taskToken: published.taskToken };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${executionArn} published no task token within 15 s. Emulator log:\n${server.logTail()}`);
  }

  async function settled(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (out.status !== 'RUNNING' || Date.now() > deadline) return out;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('delivers SendTaskSuccess: the waiting execution succeeds with the decision as its output', async () => {
    // Prepare
    const { executionArn, taskToken } = await waitingExecution();

    // Act
    const delivery = await callback.succeed(taskToken, {
      outcome: 'APPROVE',
      approver: 'alice@example.com',
      decidedAt: '2026-11-02T10:20:00.000Z',
    });

    // Assess
    expect(delivery).toBe('DELIVERED');
    const execution = await settled(executionArn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? 'null')).toEqual({
      outcome: 'APPROVE',
      approver: 'alice@example.com',
      decidedAt: '2026-11-02T10:20:00.000Z',
    });
  });

  it('delivers SendTaskFailure: the waiting execution fails with the error name the ASL catches', async () => {
    const { executionArn, taskToken } = await waitingExecution();

    const delivery = await callback.fail(
      taskToken,
      'Migration.ApprovalRejected',
      'Rejected by bob@example.com: consumer lag on payments not explained',
    );

    expect(delivery).toBe('DELIVERED');
    const execution = await settled(executionArn);
    // moto 5.2.5 drops the cause of SendTaskFailure (only the error reaches the execution); AWS keeps both.
    expect(execution).toMatchObject({ status: 'FAILED', error: 'Migration.ApprovalRejected' });
  });

  it('delivers a heartbeat to a task that still waits, and the execution keeps waiting', async () => {
    const { executionArn, taskToken } = await waitingExecution();

    await expect(callback.heartbeat(taskToken)).resolves.toBe('DELIVERED');

    await expect(sfn.send(new DescribeExecutionCommand({ executionArn }))).resolves.toMatchObject({
      status: 'RUNNING',
    });
    await callback.succeed(taskToken, {});
  });

  it('reports a second decision on a task that no longer waits as TASK_GONE (Step Functions answers InvalidToken)', async () => {
    const { taskToken } = await waitingExecution();
    await callback.succeed(taskToken, { outcome: 'APPROVE' });

    const again = await callback.succeed(taskToken, { outcome: 'REJECT' });

    expect(again).toBe('TASK_GONE');
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }))).rejects.toMatchObject({
      name: 'InvalidToken',
    });
  });

  it('reports a token Step Functions never issued as TASK_GONE, for success, failure and heartbeat alike', async () => {
    const forged = 'AAAAKgAAAAIAAAAAAAAAA' + 'f'.repeat(200);

    const deliveries = [
      await callback.succeed(forged, {}),
      await callback.fail(forged, 'Migration.ApprovalRejected', 'no'),
      await callback.heartbeat(forged),
    ];

    expect(deliveries).toEqual(['TASK_GONE', 'TASK_GONE', 'TASK_GONE']);
  });
});
