// What the agent dialogs say about a connection the API returned (at creation and at each token
// rotation): the file to download and how the agent reaches the broker. The settings themselves
// (the environment file and the one-paste command) are the server's text, shown as they are.
import type { AgentConnection } from '../../api/types';
import type { TextFile } from '../../components/download';

/** The file the command writes and the download saves; the agent reads it with `--env-file`. */
export const AGENT_ENV_FILE = 'orca-agent.env';

/** The agent's runnable jar as the build leaves it, and the name the command starts it by. */
export const AGENT_JAR_BUILT = 'agent/target/orca-agent-*-exec.jar';
export const AGENT_JAR = 'orca-agent.jar';

/** The environment file as the download saves it: the server's lines, ending with a newline. */
export function environmentFileDownload(connection: AgentConnection): TextFile {
  const text = connection.environmentFile;
  return {
    name: AGENT_ENV_FILE,
    type: 'text/plain;charset=utf-8',
    content: text.endsWith('\n') ? text : `${text}\n`,
  };
}

/** How the agent reaches the broker, to end "The agent connects to … " with. */
export function transportText(connection: AgentConnection): string {
  const user = connection.username ? `, user ${connection.username}` : '';
  switch (connection.securityProtocol) {
    case 'SASL_SSL':
      return `over TLS with its own credential${user}`;
    case 'SASL_PLAINTEXT':
      return `with its own credential${user}, without TLS`;
    default:
      return 'without TLS or a credential';
  }
}
