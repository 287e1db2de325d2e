import { readFileSync } from 'node:fs';
import { committedTable, DEPLOY_DOC, normalizedTable, renderTable } from '../../scripts/iam-table';

describe('the permission table of docs/deploy.md', () => {
  it('is committed as generated from the IAM declaration (run npm run iam-table when this fails)', () => {
    // Prepare
    const doc = readFileSync(DEPLOY_DOC, 'utf8');

    // Act
    const committed = committedTable(doc);

    // Assess
    expect(committed).toEqual(normalizedTable(renderTable()));
  });

  it('names every function with the actions it may call, the dependent ones included', () => {
    // Act
    const table = renderTable();

    // Assess
    expect(table).toMatch(/\| EvaluateCatchUp \| `mskDescribe`: .*`kafka:GetBootstrapBrokers` \(`\*`\)/);
    expect(table).toMatch(/\| RollbackReplication \| `replicationDelete`: .*`logs:DeleteLogDelivery`/);
    expect(table).toMatch(
      /\| StartReplication \| `replicationCreate`: .*`iam:PassRole` \(connectRole, replicatorRole\)/,
    );
  });
});
