package dev.orca.agent.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ComposePolicyTest {

  private static final Path HOME = Path.of("/var/lib/orca/deployments/app-1");

  @Test
  void shouldLetAnOrdinaryStackRun() {
    ComposeFile file = ComposeFile.parse("""
        services:
          web:
            image: nginx
            cap_add: [NET_BIND_SERVICE, CHOWN]
            network_mode: bridge
            volumes:
              - data:/var/lib/data
              - ./html:/usr/share/nginx/html:ro
              - /var/lib/orca/deployments/app-1/conf:/etc/nginx/conf.d
              - /cache
              - type: bind
                source: ./certs
                target: /certs
              - type: volume
                source: logs
                target: /logs
          db:
        volumes:
          data: {}
          logs: {}
        """);
    assertThat(ComposePolicy.violations(file, HOME)).isEmpty();
    assertThat(ComposePolicy.refusal(file, HOME)).isEmpty();
  }

  @Test
  void shouldNameTheServiceAndTheRuleOfEveryViolation() {
    ComposeFile file = ComposeFile.parse("""
        services:
          root:
            image: x
            privileged: true
            cap_add: [cap_sys_admin, NET_ADMIN, ALL]
          host:
            image: x
            network_mode: host
            pid: "host"
            ipc: host
          mounts:
            image: x
            volumes:
              - /var/run/docker.sock:/var/run/docker.sock
              - /etc:/host-etc
              - ../other-app:/other
              - ~/.ssh:/keys
              - type: bind
                source: /run/docker.sock
                target: /docker.sock
        """);
    assertThat(ComposePolicy.violations(file, HOME)).containsExactly(
        "service 'root' asks for privileged mode (rule: privileged)",
        "service 'root' adds capability SYS_ADMIN (rule: cap_add)",
        "service 'root' adds capability NET_ADMIN (rule: cap_add)",
        "service 'root' adds capability ALL (rule: cap_add)",
        "service 'host' shares the host's namespace: network_mode: host (rule: host namespaces)",
        "service 'host' shares the host's namespace: pid: host (rule: host namespaces)",
        "service 'host' shares the host's namespace: ipc: host (rule: host namespaces)",
        "service 'mounts' mounts the Docker socket /var/run/docker.sock (rule: docker socket)",
        "service 'mounts' mounts /etc from the host, outside the application's directory (rule: host bind mounts)",
        "service 'mounts' mounts ../other-app from the host, outside the application's directory (rule: host bind mounts)",
        "service 'mounts' mounts ~/.ssh from the host (rule: host bind mounts)",
        "service 'mounts' mounts the Docker socket /run/docker.sock (rule: docker socket)");
    assertThat(ComposePolicy.refusal(file, HOME)).hasValueSatisfying(message -> assertThat(message)
        .startsWith("refused by the agent's policy: service 'root' asks for privileged mode (rule: privileged); "));
  }

  @Test
  void shouldTellABindMountFromANamedVolume() {
    assertThat(ComposePolicy.bindSource("data:/data")).isEmpty();
    assertThat(ComposePolicy.bindSource("/data")).isEmpty();
    assertThat(ComposePolicy.bindSource("./data:/data:ro")).contains("./data");
    assertThat(ComposePolicy.bindSource("/srv:/srv")).contains("/srv");
    assertThat(ComposePolicy.bindSource(java.util.Map.of("type", "tmpfs", "target", "/tmp"))).isEmpty();
  }
}
