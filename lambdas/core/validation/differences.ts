/** One thing that differs between the source and the target, stated so that a person can act on it. */
export interface Difference {
  readonly check: 'TOPIC' | 'PARTITIONS' | 'CONFIG' | 'RECORDS' | 'DUPLICATES' | 'GROUP_OFFSET' | 'ACCESS';
  /** `topic`, `topic-partition`, `group@topic-partition`, `principal`. */
  readonly subject: string;
  readonly detail: string;
  readonly source?: string;
  readonly target?: string;
}
