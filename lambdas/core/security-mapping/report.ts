import { artifactKey, type ArtifactStore } from '../../ports/artifact-store';
import type { SecurityMapping } from './model';

/**
 * The security mapping as evidence: one JSON policy document per principal (ready for `aws iam put-role-policy` or
 * the optional `IamPolicyMapping` construct), the whole mapping as JSON, and a Markdown section for the report.
 */

export interface SecurityMappingEvidence {
  /** Artifact key of the whole mapping (policies + findings). */
  readonly mappingKey: string;
  /** Artifact key per principal's policy document. */
  readonly policyKeys: Record<string, string>;
  readonly markdownKey: string;
  readonly summary: {
    readonly principals: number;
    readonly lockedOut: number;
    readonly blockers: number;
    readonly warnings: number;
  };
}

export async function writeSecurityMappingEvidence(
  mapping: SecurityMapping,
  identity: { readonly migrationId: string; readonly executionName: string },
  artifacts: ArtifactStore,
): Promise<SecurityMappingEvidence> {
  const key = (name: string): string => artifactKey(identity.migrationId, identity.executionName, `security/${name}`);
  const policyKeys: Record<string, string> = {};
  for (const p of mapping.policies) {
    const k = key(`iam-policies/${p.suggestedRoleName}.json`);
    await artifacts.putJson(k, p.policy);
    policyKeys[p.principal] = k;
  }
  const mappingKey = key('security-mapping.json');
  await artifacts.putJson(mappingKey, mapping);
  const markdownKey = key('security-mapping.md');
  await artifacts.putText(markdownKey, renderSecurityMappingMarkdown(mapping), 'text/markdown; charset=utf-8');
  return {
    mappingKey,
    policyKeys,
    markdownKey,
    summary: {
      principals: mapping.policies.length,
      lockedOut: mapping.lockedOut.length,
      blockers: mapping.findings.filter((f) => f.severity === 'BLOCKER').length,
      warnings: mapping.findings.filter((f) => f.severity === 'WARNING').length,
    },
  };
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const list = (xs: readonly string[]): string => (xs.length === 0 ? '—' : xs.map((x) => `\`${x}\``).join(', '));

export function renderSecurityMappingMarkdown(mapping: SecurityMapping): string {
  const lines: string[] = [
    '## Security: client access on the IAM-only target',
    '',
    `Target cluster: \`${mapping.target.clusterArn}\`${mapping.target.serverless ? ' (MSK Serverless)' : ''}.`,
    '',
  ];
  if (mapping.lockedOut.length > 0) {
    lines.push(`**${mapping.lockedOut.length} principal(s) would be locked out:** ${list(mapping.lockedOut)}.`, '');
  }
  lines.push(
    '| Principal | IAM role (suggested) | Topics | Groups | Transactional IDs | Cluster actions |',
    '|---|---|---|---|---|---|',
  );
  for (const p of mapping.policies) {
    lines.push(
      `| \`${cell(p.principal)}\` | \`${p.suggestedRoleName}\` | ${cell(list(p.allowed.topics))} | ${cell(list(p.allowed.groups))} | ${cell(list(p.allowed.transactionalIds))} | ${cell(list(p.allowed.cluster.map((x) => x.replace('kafka-cluster:', ''))))} |`,
    );
  }
  if (mapping.policies.length === 0) lines.push('| — | — | — | — | — | — |');
  lines.push('', '### Findings', '');
  if (mapping.findings.length === 0) lines.push('None.');
  for (const f of mapping.findings) {
    lines.push(
      `- **${f.severity}** \`${f.code}\`${f.principal ? ` (\`${f.principal}\`)` : ''}: ${f.message} *What to do:* ${f.remediation}`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
