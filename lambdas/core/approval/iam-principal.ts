/**
 * IAM principals as the approval service sees them, and how a plan's `approval.approvers` entry matches one.
 *
 * The caller of the operator decision route is known only from what API Gateway's IAM authorization verified
 * (`requestContext.authorizer.iam.userArn`): an IAM user (`arn:aws:iam::ACCT:user/PATH/NAME`) or a role session
 * (`arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`, role paths dropped). A plan lists approvers as
 * - an IAM user ARN: that user;
 * - an IAM role ARN (`arn:aws:iam::ACCT:role/PATH/ROLE`): any session of that role;
 * - a role session ARN (`arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`): that session name of that role only
 *   (IAM Identity Center names the session after the signed-in user, so this is one person of a shared role).
 * A session name alone is never enough: whoever calls sts:AssumeRole chooses it, so it names a person only together
 * with the role that was assumed.
 */

export type IamPrincipalType = 'user' | 'role' | 'assumed-role';

export interface IamPrincipal {
  readonly type: IamPrincipalType;
  readonly partition: string;
  readonly account: string;
  /** The user name or the role name (without its path). */
  readonly name: string;
  /** assumed-role only. */
  readonly session?: string;
}

const PARTITION = 'aws(?:-[a-z]+)*';
/** IAM names: letters, digits and `+=,.@_-`; paths add `/`. */
const NAME = '[\\w+=,.@-]{1,128}';
const IAM_USER_OR_ROLE = new RegExp(`^arn:(${PARTITION}):iam::(\\d{12}):(user|role)/((?:${NAME}/)*)(${NAME})$`);
const ASSUMED_ROLE = new RegExp(`^arn:(${PARTITION}):sts::(\\d{12}):assumed-role/(${NAME})/([\\w+=,.@-]{2,64})$`);

/** What a plan may list as an IAM approver (and what the plan schema checks). */
export const IAM_APPROVER_ARN = new RegExp(`${IAM_USER_OR_ROLE.source}|${ASSUMED_ROLE.source}`);

export function parseIamPrincipal(arn: string): IamPrincipal | undefined {
  if (arn.length > 2048) return undefined;
  const iam = IAM_USER_OR_ROLE.exec(arn);
  if (iam) {
    const [, partition, account, type, , name] = iam;
    return { type: type as 'user' | 'role', partition: partition!, account: account!, name: name! };
  }
  const sts = ASSUMED_ROLE.exec(arn);
  if (sts) {
    const [, partition, account, name, session] = sts;
    return { type: 'assumed-role', partition: partition!, account: account!, name: name!, session: session! };
  }
  return undefined;
}

/** Whether the caller (an authenticated IAM user or role session) is the approver a plan entry names. */
export function iamApproverMatches(listedArn: string, callerArn: string): boolean {
  const listed = parseIamPrincipal(listedArn);
  const caller = parseIamPrincipal(callerArn);
  if (!listed || !caller || caller.type === 'role') return false; // a role never calls anything; its sessions do
  if (listed.partition !== caller.partition || listed.account !== caller.account) return false;
  switch (listed.type) {
    case 'user':
      return caller.type === 'user' && caller.name === listed.name;
    case 'role':
      return caller.type === 'assumed-role' && caller.name === listed.name;
    case 'assumed-role':
      return caller.type === 'assumed-role' && caller.name === listed.name && caller.session === listed.session;
  }
}
