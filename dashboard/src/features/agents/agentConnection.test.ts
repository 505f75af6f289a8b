import { describe, expect, it } from 'vitest';
import type { AgentConnection } from '../../api/types';
import { AGENT_ENV_FILE, environmentFileDownload, transportText } from './agentConnection';

const ID = '5b8c1c3e-0000-4000-8000-000000000001';
const KEY = 'q0Zb3nW+Xr5e/8mK2pT6uV1yA4cD7fH9jL0nP3sR5tU=';
const FILE = [
  `ORCA_AGENT_ID=${ID}`,
  'ORCA_KAFKA_BOOTSTRAP=127.0.0.1:19093',
  'ORCA_TOPIC_PREFIX=orca.',
  'ORCA_KAFKA_SECURITY_PROTOCOL=SASL_SSL',
  `ORCA_KAFKA_USERNAME=orca-agent-${ID}-1`,
  'ORCA_KAFKA_PASSWORD=pa$$word"with`odd\\chars',
  'ORCA_KAFKA_CA_CERT=LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
  `ORCA_AGENT_ENVIRONMENT_KEY=${KEY}`,
  '',
].join('\n');

const CONNECTION: AgentConnection = {
  kafkaBootstrap: '127.0.0.1:19093',
  securityProtocol: 'SASL_SSL',
  saslMechanism: 'SCRAM-SHA-512',
  username: `orca-agent-${ID}-1`,
  password: 'pa$$word"with`odd\\chars',
  caCertificate: '-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n',
  topicPrefix: 'orca.',
  agentId: ID,
  commandsTopic: `orca.agent.${ID}.commands`,
  eventsTopic: `orca.agent.${ID}.events`,
  environmentKey: KEY,
  environmentFile: FILE,
  command: `(umask 077 && cat > orca-agent.env) <<'ORCA_AGENT_ENV'\n${FILE}ORCA_AGENT_ENV\nchmod 600 orca-agent.env \\\n  && MALLOC_ARENA_MAX=2 java -Xmx40m -XX:ArchiveClassesAtExit=orca-agent.jsa -jar orca-agent.jar --env-file orca-agent.env --check \\\n  && MALLOC_ARENA_MAX=2 java -Xmx40m -XX:SharedArchiveFile=orca-agent.jsa -jar orca-agent.jar --env-file orca-agent.env\n`,
};

describe('agent connection', () => {
  it('downloads the settings as orca-agent.env, exactly the server text', () => {
    const file = environmentFileDownload(CONNECTION);
    expect(file.name).toBe(AGENT_ENV_FILE);
    expect(file.name).toBe('orca-agent.env');
    expect(file.type).toBe('text/plain;charset=utf-8');
    expect(file.content).toBe(FILE);
  });

  it('names the same file the command writes and starts the agent with', () => {
    expect(CONNECTION.command).toContain(`cat > ${AGENT_ENV_FILE})`);
    expect(CONNECTION.command).toContain(`chmod 600 ${AGENT_ENV_FILE}`);
    expect(CONNECTION.command).toContain(`--env-file ${AGENT_ENV_FILE}`);
  });

  it('ends the downloaded file with a newline, even when the text did not', () => {
    const file = environmentFileDownload({ ...CONNECTION, environmentFile: 'ORCA_AGENT_ID=a' });
    expect(file.content).toBe('ORCA_AGENT_ID=a\n');
  });

  it('says how the agent reaches the broker, and as which user', () => {
    expect(transportText(CONNECTION)).toBe(`over TLS with its own credential, user orca-agent-${ID}-1`);
    expect(transportText({ ...CONNECTION, securityProtocol: 'SASL_PLAINTEXT', caCertificate: null })).toBe(
      `with its own credential, user orca-agent-${ID}-1, without TLS`,
    );
    expect(
      transportText({ ...CONNECTION, securityProtocol: 'PLAINTEXT', saslMechanism: null, username: null, password: null }),
    ).toBe('without TLS or a credential');
  });
});
