import {
  benchJson,
  benchResult,
  CLI_TOOLS,
  configDescribeCounter,
  formatBenchTable,
  groupDescribeCounter,
  lineSplitter,
  pickMainClass,
  progressBar,
  topicDescribeCounter,
  type CliRun,
  type OutputCounter,
} from '../../scripts/bench-inventory-lib';

/** Output as Kafka 4.3.1's tools print it (captured from the harness's broker). */
const TOPICS_OUTPUT = [
  'Topic: __consumer_offsets\tTopicId: AUXgRGH7RSeoIZa8bTsxlw\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: cleanup.policy=compact',
  '\tTopic: __consumer_offsets\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: ',
  '\tTopic: __consumer_offsets\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: ',
  '\tTopic: __consumer_offsets\tPartition: 2\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: ',
  'Topic: orders\tTopicId: jb3miPulSG6OQljEsNJC0Q\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: retention.ms=3600000',
  '\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: ',
  '\tTopic: orders\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: ',
  '',
].join('\n');

const CONFIGS_OUTPUT = [
  'All configs for topic orders are:',
  '  cleanup.policy=delete sensitive=false synonyms={DEFAULT_CONFIG:log.cleanup.policy=delete}',
  '  follower.replication.throttled.replicas= sensitive=false synonyms={}',
  '  retention.ms=3600000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=3600000}',
  'All configs for topic payments are:',
  '  cleanup.policy=compact sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact}',
  '',
].join('\n');

const GROUPS_OUTPUT = [
  '',
  'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID',
  'billing         orders          0          1               2               1               -               -               -',
  'billing         orders          1          0               0               0               -               -               -',
  '',
  "Consumer group 'audit' has no active members.",
  '',
  'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID',
  'audit           orders          0          2               2               0               -               -               -',
  '',
].join('\n');

function feed<T>(counter: OutputCounter<T>, output: string, chunkSize: number): T {
  const lines = lineSplitter((l) => counter.line(l));
  for (let i = 0; i < output.length; i += chunkSize) lines.push(output.slice(i, i + chunkSize));
  lines.end();
  return counter.result();
}

const run = (command: CliRun['command'], seconds: number, saw: Record<string, number>): CliRun => ({
  command,
  mainClass: CLI_TOOLS[command][0],
  seconds,
  saw,
});

describe('the inventory benchmark', () => {
  it('counts the topics and partitions kafka-topics --describe printed, whatever the chunking of its output', () => {
    // Act
    const whole = feed(topicDescribeCounter(), TOPICS_OUTPUT, TOPICS_OUTPUT.length);
    const byteByByte = feed(topicDescribeCounter(), TOPICS_OUTPUT, 7);

    // Assess
    expect(whole).toEqual({ topics: 2, partitions: 5 });
    expect(byteByByte).toEqual(whole);
  });

  it('counts the topics and config lines of kafka-configs --describe --all, an empty value included', () => {
    expect(feed(configDescribeCounter(), CONFIGS_OUTPUT, 64)).toEqual({ topics: 2, configs: 4 });
  });

  it('counts the groups and committed-offset rows of kafka-consumer-groups --describe --all-groups', () => {
    expect(feed(groupDescribeCounter(), GROUPS_OUTPUT, 50)).toEqual({ groups: 2, offsets: 3 });
  });

  it('picks the main class the jars hold: org.apache.kafka.tools on new versions, kafka.admin on old ones', () => {
    // Prepare
    const kafka4 = new Set(['org/apache/kafka/tools/TopicCommand.class', 'kafka/admin/ConfigCommand.class']);
    const old = new Set(['kafka/admin/TopicCommand.class']);

    // Act and Assess
    expect(pickMainClass(CLI_TOOLS['kafka-topics --describe'], kafka4)).toBe('org.apache.kafka.tools.TopicCommand');
    expect(pickMainClass(CLI_TOOLS['kafka-configs --describe --all --entity-type topics'], kafka4)).toBe(
      'kafka.admin.ConfigCommand',
    );
    expect(pickMainClass(CLI_TOOLS['kafka-topics --describe'], old)).toBe('kafka.admin.TopicCommand');
    expect(pickMainClass(CLI_TOOLS['kafka-consumer-groups --describe --all-groups'], old)).toBeUndefined();
  });

  it('draws a progress bar that is full at the end and never overflows', () => {
    expect(progressBar('topics', 1000, 2000, 10)).toBe('topics   [#####·····] 1,000/2,000  50%');
    expect(progressBar('groups', 500, 500, 10)).toBe('groups   [##########] 500/500 100%');
    expect(progressBar('groups', 900, 500, 10)).toContain('[##########]');
  });

  it('sums the CLI commands, compares ours to them and says whether both goals are met', () => {
    // Act
    const result = benchResult({
      kafkaVersion: '4.3.1',
      topics: 2000,
      partitions: 10_000,
      groups: 500,
      oursSeconds: 4,
      oursProcessSeconds: 5.2,
      peakRssMb: 210.44,
      inventory: { topics: 2000, complete: false },
      cliRuns: [
        run('kafka-topics --describe', 5, { topics: 2001, partitions: 10_003 }),
        run('kafka-configs --describe --all --entity-type topics', 9, { topics: 2001, configs: 80_000 }),
        run('kafka-consumer-groups --describe --all-groups', 6, { groups: 500, offsets: 7_500 }),
      ],
    });

    // Assess
    expect(result).toMatchObject({
      topics: 2000,
      partitions: 10_000,
      groups: 500,
      oursSeconds: 4,
      cliSeconds: 20,
      peakRssMb: 210.4,
      ratio: 0.2,
      cli: { 'kafka-topics --describe': 5 },
      goals: { timeRatio: 0.5, peakRssMb: 512, met: true },
    });
    const json = JSON.parse(benchJson(result)) as Record<string, unknown>;
    expect(Object.keys(json).slice(0, 7)).toEqual([
      'kafkaVersion',
      'topics',
      'partitions',
      'groups',
      'oursSeconds',
      'oursProcessSeconds',
      'cliSeconds',
    ]);
    const table = formatBenchTable(result);
    expect(table).toContain('2,000 / 10,000 / 500');
    expect(table).toMatch(
      /CLI: kafka-configs --describe --all --entity-type topics\s+9\.00 s \(2,001 topics, 80,000 configs\)/,
    );
    expect(table).toMatch(/Ours \/ CLI\s+0\.200× \(goal ≤ 0\.5×: met\)/);
  });

  it('reports a goal missed when ours is slower than half the CLI or uses more than 512 MB', () => {
    const cliRuns = [run('kafka-topics --describe', 10, { topics: 1, partitions: 1 })];
    const base = {
      kafkaVersion: '4.3.1',
      topics: 1,
      partitions: 1,
      groups: 1,
      oursProcessSeconds: 1,
      inventory: {},
      cliRuns,
    };
    const slow = benchResult({ ...base, oursSeconds: 6, peakRssMb: 100 });
    const big = benchResult({ ...base, oursSeconds: 1, peakRssMb: 600 });
    expect(slow.goals.met).toBe(false);
    expect(formatBenchTable(slow)).toContain('(goal ≤ 0.5×: NOT met)');
    expect(big.goals.met).toBe(false);
    expect(formatBenchTable(big)).toContain('(goal ≤ 512 MB: NOT met)');
  });
});
