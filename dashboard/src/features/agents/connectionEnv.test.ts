import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CreatedAgent } from '../../api/types';
import { AGENT_JVM_OPTIONS, connectionEnv, envLine } from './connectionEnv';

const KEY = 'q0Zb3nW+Xr5e/8mK2pT6uV1yA4cD7fH9jL0nP3sR5tU=';
const AGENT: CreatedAgent = {
  id: '5b8c1c3e-0000-4000-8000-000000000001',
  name: 'edge-1',
  status: 'offline',
  connection: {
    kafkaBootstrap: 'kafka-1:9092,kafka-2:9092',
    topicPrefix: 'orca.',
    agentId: '5b8c1c3e-0000-4000-8000-000000000001',
    commandsTopic: 'orca.agent.5b8c1c3e-0000-4000-8000-000000000001.commands',
    eventsTopic: 'orca.agent.5b8c1c3e-0000-4000-8000-000000000001.events',
    environmentKey: KEY,
  },
};

describe('agent connection environment', () => {
  it('lists the connection settings, then the recommended memory settings, quoted', () => {
    expect(connectionEnv(AGENT).split('\n')).toEqual([
      'ORCA_KAFKA_BOOTSTRAP=kafka-1:9092,kafka-2:9092',
      'ORCA_TOPIC_PREFIX=orca.',
      'ORCA_AGENT_ID=5b8c1c3e-0000-4000-8000-000000000001',
      `ORCA_AGENT_ENVIRONMENT_KEY=${KEY}`,
      'JDK_JAVA_OPTIONS="-XX:+UseSerialGC -Xmx48m -XX:TieredStopAtLevel=1 -Xss512k -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=96m -XX:MaxDirectMemorySize=16m"',
      'MALLOC_ARENA_MAX=2',
    ]);
  });

  it('leaves out what the API did not send, and falls back to the agent id', () => {
    const bare: CreatedAgent = { ...AGENT, connection: {} };
    expect(connectionEnv(bare).split('\n')).toEqual([
      'ORCA_AGENT_ID=5b8c1c3e-0000-4000-8000-000000000001',
      `JDK_JAVA_OPTIONS="${AGENT_JVM_OPTIONS}"`,
      'MALLOC_ARENA_MAX=2',
    ]);
  });

  it('quotes a value only when a shell would split or expand it', () => {
    expect(envLine('A', 'plain-value_1.2:3,4/5+6=')).toBe('A=plain-value_1.2:3,4/5+6=');
    expect(envLine('A', 'two words')).toBe('A="two words"');
    expect(envLine('A', 'a"b$c`d\\e')).toBe('A="a\\"b\\$c\\`d\\\\e"');
    expect(envLine('A', '')).toBe('A=');
  });

  it.skipIf(process.platform === 'win32')('reads back as the same values when a shell sources it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orca-agent-env-'));
    try {
      const file = join(dir, 'agent.env');
      writeFileSync(file, `${connectionEnv(AGENT)}\n${envLine('ODD', 'a"b$c`d\\e f')}\n`);
      const read = (name: string) =>
        execFileSync('sh', ['-c', `set -a; . "$1"; printf %s "$${name}"`, 'sh', file], { env: {}, encoding: 'utf8' });
      expect(read('JDK_JAVA_OPTIONS')).toBe(AGENT_JVM_OPTIONS);
      expect(read('ORCA_AGENT_ENVIRONMENT_KEY')).toBe(KEY);
      expect(read('ORCA_KAFKA_BOOTSTRAP')).toBe('kafka-1:9092,kafka-2:9092');
      expect(read('ODD')).toBe('a"b$c`d\\e f');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
