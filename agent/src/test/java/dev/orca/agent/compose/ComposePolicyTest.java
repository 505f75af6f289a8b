package dev.orca.agent.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        "service 'root' adds capability SYS_ADMIN (rule: capabilities)",
        "service 'root' adds capability NET_ADMIN (rule: capabilities)",
        "service 'root' adds capability ALL (rule: capabilities)",
        "service 'host' shares the host's namespace: network_mode: host (rule: host-namespaces)",
        "service 'host' shares the host's namespace: pid: host (rule: host-namespaces)",
        "service 'host' shares the host's namespace: ipc: host (rule: host-namespaces)",
        "service 'mounts' mounts the Docker socket /var/run/docker.sock (rule: docker-socket)",
        "service 'mounts' mounts /etc from the host, outside the application's directory (rule: host-mounts)",
        "service 'mounts' mounts ../other-app from the host, outside the application's directory (rule: host-mounts)",
        "service 'mounts' mounts ~/.ssh from the host (rule: host-mounts)",
        "service 'mounts' mounts the Docker socket /run/docker.sock (rule: docker-socket)");
    assertThat(ComposePolicy.refusal(file, HOME)).hasValueSatisfying(message -> assertThat(message)
        .startsWith("refused by the agent's policy: service 'root' asks for privileged mode (rule: privileged); "));
  }

  @Test
  void shouldNotCheckTheRulesAnAdminAllowedForTheApplication() {
    ComposeFile file = ComposeFile.parse("""
        services:
          root:
            image: x
            privileged: true
            network_mode: host
            volumes: ["/var/run/docker.sock:/var/run/docker.sock"]
        """);

    assertThat(ComposePolicy.refusal(file, Map.of(), Path.of("/srv/app"), Set.of("privileged", "docker-socket")))
        .contains("refused by the agent's policy: service 'root' shares the host's namespace: network_mode: host"
            + " (rule: host-namespaces)");
    assertThat(ComposePolicy.refusal(file, Map.of(), Path.of("/srv/app"),
        Set.of("privileged", "docker-socket", "host-namespaces"))).isEmpty();
  }

  @Test
  void shouldCheckTheServicesOfTheFilesTheStackIncludesOrExtendsFrom() {
    ComposeFile file = ComposeFile.parse("""
        include:
          - db/compose.yaml
          - path: ./tools/compose.yaml
            project_directory: /srv
        services:
          web:
            image: x
            extends:
              file: common/base.yaml
              service: base
        """);
    Map<String, byte[]> files = Map.of(
        "db/compose.yaml", bytes("""
            include: [../common/base.yaml]
            services:
              db:
                image: x
                privileged: true
                volumes: ['./data:/data', '../conf:/conf', '../../other-app:/other']
            """),
        "common/base.yaml", bytes("services:\n  base:\n    image: x\n    cap_add: [SYS_ADMIN]\n"),
        "tools/compose.yaml", bytes("services:\n  tool:\n    image: x\n    volumes: ['./etc:/etc']\n"));

    assertThat(ComposePolicy.violations(file, files, HOME)).containsExactly(
        "service 'db' (in db/compose.yaml) asks for privileged mode (rule: privileged)",
        "service 'db' (in db/compose.yaml) mounts ../../other-app from the host, outside the application's directory"
            + " (rule: host-mounts)",
        "service 'tool' (in tools/compose.yaml) mounts ./etc from the host, outside the application's directory"
            + " (rule: host-mounts)",
        "service 'base' (in common/base.yaml) adds capability SYS_ADMIN (rule: capabilities)");
  }

  @Test
  void shouldRefuseAnIncludedFileItCannotCheck() {
    ComposeFile file = ComposeFile.parse("""
        include:
          - ./not-carried.yaml
          - ../other-app/compose.yaml
          - /srv/compose.yaml
          - ${STACK}.yaml
          - oci://registry.example/stack:1
          - path: ./broken.yaml
          - path: ./sub/compose.yaml
            project_directory: ${SOMEWHERE}
        services:
          web:
            image: x
            extends:
              file: docker-compose.yml
              service: base
          base:
            image: x
        """);
    Map<String, byte[]> files = Map.of("broken.yaml", bytes("[unclosed"), "sub/compose.yaml", bytes("services: {}"));

    List<String> violations = ComposePolicy.violations(file, files, HOME);

    assertThat(violations).hasSize(7).element(5).asString()
        .startsWith("compose file broken.yaml cannot be checked: not valid YAML: ")
        .endsWith(" (rule: included files)");
    assertThat(violations).containsSubsequence(
        "compose file ./not-carried.yaml is not among the files the deployment carries, so the agent cannot check it"
            + " (rule: included files)",
        "compose file ../other-app/compose.yaml is outside the application's directory, so the agent cannot check it"
            + " (rule: included files)",
        "compose file /srv/compose.yaml is outside the application's directory, so the agent cannot check it"
            + " (rule: included files)",
        "compose file ${STACK}.yaml holds a variable, so the agent cannot check it (rule: included files)",
        "compose file oci://registry.example/stack:1 is a remote resource, so the agent cannot check it"
            + " (rule: included files)",
        "compose file sub/compose.yaml is included with project_directory ${SOMEWHERE}, so the agent cannot check "
            + "where its paths lead (rule: included files)");
  }

  @Test
  void shouldLetAStackIncludeTheFilesItCarries() {
    ComposeFile file = ComposeFile.parse("include: [db/docker-compose.yml]\nservices:\n  web:\n    image: x\n");
    Map<String, byte[]> files = Map.of("db/docker-compose.yml",
        bytes("services:\n  db:\n    image: x\n    volumes: ['./data:/data', '../conf/db.conf:/etc/db.conf']\n"));

    assertThat(ComposePolicy.refusal(file, files, HOME)).isEmpty();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
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
