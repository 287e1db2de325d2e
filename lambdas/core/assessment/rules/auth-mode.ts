import type { Inventory } from '../../inventory/model';
import type { TargetProfile } from '../../profiles/profile';
import type { AssessmentOptions, Finding } from '../finding';

/**
 * Client authentication the target does not offer. MSK Serverless takes SASL/IAM only: clients on SCRAM, mTLS or
 * plaintext must change their configuration (and often their library) before cutover. MSK Replicator also needs IAM
 * access control enabled on the source to read it.
 */

type Mode = 'IAM' | 'SCRAM' | 'MTLS' | 'UNAUTHENTICATED';

function sourceModes(inventory: Inventory): { modes: Mode[]; from: string; complete: boolean } {
  if (inventory.controlPlane.status === 'COLLECTED') {
    const a = inventory.controlPlane.cluster.authentication;
    const modes: Mode[] = [];
    if (a.iam) modes.push('IAM');
    if (a.scram) modes.push('SCRAM');
    if (a.mtls) modes.push('MTLS');
    if (a.unauthenticated) modes.push('UNAUTHENTICATED');
    return { modes, from: 'MSK DescribeClusterV2', complete: true };
  }
  const m = inventory.source.authMechanism;
  const mode: Mode = m === 'IAM' ? 'IAM' : m.startsWith('SCRAM') ? 'SCRAM' : m === 'TLS' ? 'MTLS' : 'UNAUTHENTICATED';
  return {
    modes: [mode],
    from: `the mechanism the inventory connected with (${m}); other listeners unknown without the MSK control plane`,
    complete: false,
  };
}

export function authModeRule(inventory: Inventory, profile: TargetProfile, options: AssessmentOptions): Finding[] {
  const findings: Finding[] = [];
  const { modes, from, complete } = sourceModes(inventory);
  const offered = new Set<string>(profile.access.authModes);
  const missing = modes.filter((m) => !offered.has(m));
  if (missing.length > 0) {
    // Without the control plane, IAM may be enabled on a listener the inventory did not use.
    const iamOnSource = modes.includes('IAM') || !complete;
    const iamOnlyTarget = profile.access.authModes.length === 1 && profile.access.authModes[0] === 'IAM';
    findings.push({
      id: 'auth.unsupported-on-target',
      severity: iamOnlyTarget && !iamOnSource ? 'BLOCKER' : 'WARNING',
      subject: missing.join(', '),
      criterion: 'networkAndIdentity',
      evidence: `Source authentication: ${modes.join(', ') || 'none'} (from ${from}); ${profile.name} offers ${profile.access.authModes.join(', ')}.${
        iamOnlyTarget && !iamOnSource
          ? ' IAM is not enabled on the source, so no client uses it today: every client must change.'
          : ' The cluster cannot tell which clients use which mechanism.'
      }`,
      remediation: iamOnlyTarget
        ? 'Move every client to SASL/IAM before cutover (Java: aws-msk-iam-auth; other languages: an OAUTHBEARER token from the MSK IAM signer), with an IAM role per application; enable IAM on the source first so clients can switch before the migration.'
        : `Create the ${missing.join('/')} credentials on the target, or move those clients to a mechanism the target offers.`,
    });
  }
  if (options.replicator === 'MSK_REPLICATOR' && !modes.includes('IAM')) {
    findings.push({
      id: 'auth.replicator-needs-iam',
      severity: complete ? 'BLOCKER' : 'WARNING',
      subject: 'source cluster',
      criterion: 'networkAndIdentity',
      evidence: `MSK Replicator reads the source with IAM access control, which ${complete ? 'is not enabled on it' : 'could not be confirmed'} (source authentication: ${modes.join(', ')}, from ${from}).`,
      remediation:
        'Enable IAM access control on the source (UpdateSecurity; a rolling update of the brokers), or replicate with MirrorMaker 2.',
    });
  }
  return findings;
}
