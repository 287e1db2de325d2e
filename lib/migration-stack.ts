import { Stack, StackProps, CfnOutput } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MigrationOrchestrator, MigrationOrchestratorProps } from './migration-orchestrator';

export interface MigrationStackProps extends StackProps {
  /** Passed through to the orchestrator construct. @default {} */
  readonly orchestrator?: MigrationOrchestratorProps;
}

/** The stack that `bin/msk-migration.ts` deploys: one orchestrator and its outputs. */
export class MigrationStack extends Stack {
  public readonly orchestrator: MigrationOrchestrator;

  constructor(scope: Construct, id: string, props: MigrationStackProps = {}) {
    super(scope, id, props);
    this.orchestrator = new MigrationOrchestrator(this, 'Orchestrator', props.orchestrator);
    new CfnOutput(this, 'StateMachineArn', { value: this.orchestrator.stateMachine.stateMachineArn });
    new CfnOutput(this, 'EvidenceBucketName', { value: this.orchestrator.artifactBucket.bucketName });
  }
}
